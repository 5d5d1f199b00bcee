#pragma once

#include "ringeventlog.h"

#include <QString>
#include <QTimer>

#include <memory>

// The embedded persistent back end: the ring, plus every event written to SQLite
// (<data dir>/history.sqlite, WAL). Writes of one event-loop turn share one transaction. At
// start the epoch, the id sequence and the last `capacity` events come back, so ids from
// before a restart still resume. Session ids never reach the file: a session target is
// stored as a keyed digest (HMAC-SHA256 with <data dir>/history-key), and an event restored
// from the file reaches a stream whose session has that digest.
class SqliteEventLog final : public RingEventLog
{
public:
    struct OpenResult
    {
        std::unique_ptr<SqliteEventLog> log;
        QString error;
    };
    static OpenResult open(const QString &dataDir, int capacity);
    ~SqliteEventLog() override;

    bool isPersistent() const override { return true; }
    bool mayReach(const Event &event, const Principal &principal) const override;
    // How a session id is written to the file.
    QString sessionDigest(const QString &sessionId) const;
    void flush() override;
    qint64 writeErrors() const { return m_writeErrors; }

private:
    SqliteEventLog(QString connectionName, int capacity, QByteArray sessionKey);
    QString load();
    QByteArray storedTarget(const Target &target) const;
    QString storedSession(const QString &session) const; // its digest, unless it is one
    void stored(const Event &event, quint64 seq) override;

    QString m_connectionName;
    QByteArray m_sessionKey;
    QList<std::pair<quint64, Event>> m_pending;
    QTimer m_commitTimer;
    qint64 m_writeErrors = 0;
};
