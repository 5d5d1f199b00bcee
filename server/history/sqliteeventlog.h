#pragma once

#include "ringeventlog.h"

#include <QSqlQuery>
#include <QString>

#include <memory>

// The embedded persistent back end: the ring, plus every committed event written to SQLite
// (<data dir>/history.sqlite, WAL). commit() is one transaction (the bus gives it every
// publish of one event-loop turn); only once it has committed are the events retained, and
// a failed commit stores none of them (SQLite's busy timeout is 0: a locked file fails the
// commit at once instead of stalling the event loop). The file keeps the events the ring
// keeps, trimmed in the same transaction. At start the epoch, the id sequence and the
// retained events come back, so ids from before a restart still resume. Session ids never
// reach the file: a session target is stored as a keyed digest (HMAC-SHA256 with
// <data dir>/history-key), and an event restored from the file reaches a stream whose
// session has that digest.
class SqliteEventLog final : public RingEventLog
{
public:
    enum class Sync { Normal, Full }; // SQLite's synchronous pragma
    struct Options
    {
        int capacity = 1000;
        qint64 maxBytes = defaultMaxBytes;
        Sync sync = Sync::Normal;
    };
    struct OpenResult
    {
        std::unique_ptr<SqliteEventLog> log;
        QString error;
    };
    static OpenResult open(const QString &dataDir, Options options);
    static OpenResult open(const QString &dataDir, int capacity) { return open(dataDir, Options{capacity}); }
    ~SqliteEventLog() override;

    Commit commit(const QList<Event> &events) override;
    bool isPersistent() const override { return true; }
    bool mayReach(const Event &event, const Principal &principal) const override;
    qint64 writeErrors() const override { return m_writeErrors; }
    // A stored history is not thrown away (test mode keeps its history in memory).
    bool clear() override { return false; }
    // How a session id is written to the file.
    QString sessionDigest(const QString &sessionId) const;

private:
    SqliteEventLog(QString connectionName, Options options, QByteArray sessionKey);
    QString load(Sync sync);
    QByteArray storedTarget(const Target &target) const;
    QString storedSession(const QString &session) const; // its digest, unless it is one
    QString write(const QList<Event> &events, quint64 trimThrough);
    // The statements of a commit, prepared once (SQLite compiles each, a commit per turn).
    struct Statements
    {
        QSqlQuery insert;
        QSqlQuery meta;
        QSqlQuery trim;
    };
    QString prepare();

    QString m_connectionName;
    QByteArray m_sessionKey;
    std::unique_ptr<Statements> m_statements;
    quint64 m_trimmedInFile = 0; // rows up to this sequence number are deleted
    qint64 m_writeErrors = 0;
};
