#pragma once

#include "eventbus.h"

#include <QTimer>

#include <memory>
#include <vector>

// The bus of a standalone node, on its event log. A log in memory stores at once: the event
// is committed and answered inside publish(). A persistent log (SQLite) stores every publish
// of one event-loop turn in one transaction at the end of the turn (group commit), then
// emits and answers each; a failed transaction answers each of its publishers with the
// error, and their ids are never used again.
class LocalBus final : public EventBus
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalBus)

public:
    explicit LocalBus(std::unique_ptr<EventLog> log, QObject *parent = nullptr);
    ~LocalBus() override;

    void publish(Event draft, PublishCallback done) override;
    void replay(const QByteArray &after, int maxEvents, ReplayCallback done) override;
    QByteArray head() const override { return m_log->headId(); }
    QList<Event> recent(int count) const override { return m_log->recent(count); }
    bool mayReach(const Event &event, const Principal &principal) const override
    {
        return m_log->mayReach(event, principal);
    }
    HistoryStats history() const override;
    void sendCommand(const Command &) override {}
    void flush() override { commitPending(); }
    bool clearHistory() override
    {
        commitPending();
        return m_log->clear();
    }

    const EventLog &log() const { return *m_log; }
    // Publishes waiting for the end of the turn.
    int pending() const { return int(m_pending.size()); }

private:
    struct Pending
    {
        Event event;
        PublishCallback done;
    };
    void commitPending();

    std::unique_ptr<EventLog> m_log;
    std::vector<Pending> m_pending;
    QTimer m_commitTimer;
};
