#pragma once

#include "eventbus.h"
#include "sseencoder.h"

#include <deque>

// An event bus the test drives: publishes wait until the test commits or fails them, in
// order; commands sent to other nodes are recorded.
class FakeEventBus final : public EventBus
{
public:
    void publish(Event draft, PublishCallback done) override
    {
        draft.id = "f-" + QByteArray::number(++m_assigned);
        draft.frame = SseEncoder::event(draft.id, draft.name, draft.data).value_or(QByteArray());
        m_pending.push_back({std::move(draft), std::move(done)});
    }
    void replay(const QByteArray &after, int maxEvents, ReplayCallback done) override
    {
        EventLog::Replay replay;
        qsizetype from = 0;
        if (!after.isEmpty() && after != head()) {
            from = -1;
            for (qsizetype i = 0; i < m_committed.size(); ++i) {
                if (m_committed[i].id == after)
                    from = i + 1;
            }
            if (from < 0) {
                replay.status = EventLog::ResumeStatus::Unknown;
                from = 0;
            }
        } else if (!after.isEmpty()) {
            from = m_committed.size();
        }
        replay.events = m_committed.mid(from, maxEvents);
        replay.complete = from + replay.events.size() == m_committed.size();
        done(replay);
    }
    QByteArray head() const override { return m_committed.isEmpty() ? "f-0" : m_committed.last().id; }
    QList<Event> recent(int count) const override { return m_committed.mid(qMax<qsizetype>(0, m_committed.size() - count)); }
    bool mayReach(const Event &event, const Principal &principal) const override
    {
        return principal.isAddressedBy(event.target);
    }
    HistoryStats history() const override { return {int(m_committed.size()), 0, 0, 0, false, 0}; }
    void sendCommand(const Command &command) override { commands.append(command); }
    void flush() override
    {
        while (!m_pending.empty())
            commitNext();
    }

    int pending() const { return int(m_pending.size()); }
    // The oldest waiting publish is stored: emitted, then answered.
    void commitNext()
    {
        Pending next = takeNext();
        m_committed.append(next.event);
        Q_EMIT committed(next.event);
        next.done(Published{next.event, {}});
    }
    void failNext(const QString &error)
    {
        Pending next = takeNext();
        next.done(Published{next.event, error});
    }

    QList<Command> commands;

private:
    struct Pending
    {
        Event event;
        PublishCallback done;
    };
    Pending takeNext()
    {
        Pending next = std::move(m_pending.front());
        m_pending.pop_front();
        return next;
    }

    std::deque<Pending> m_pending;
    QList<Event> m_committed;
    quint64 m_assigned = 0;
};
