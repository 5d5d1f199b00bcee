#pragma once

#include "ringeventlog.h"

#include <QString>
#include <QTimer>

#include <memory>

// The embedded persistent back end: the ring, plus every event written to SQLite
// (<data dir>/history.sqlite, WAL). Writes of one event-loop turn share one transaction. At
// start the epoch, the id sequence and the last `capacity` events come back, so ids from
// before a restart still resume.
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
    void flush() override;
    qint64 writeErrors() const { return m_writeErrors; }

private:
    SqliteEventLog(QString connectionName, int capacity);
    QString load();
    void stored(const Event &event, quint64 seq) override;

    QString m_connectionName;
    QList<std::pair<quint64, Event>> m_pending;
    QTimer m_commitTimer;
    qint64 m_writeErrors = 0;
};
