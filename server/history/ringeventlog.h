#pragma once

#include "eventid.h"
#include "eventlog.h"

#include <deque>

// The in-memory back end: a ring of the last `capacity` events. Sequence numbers are
// contiguous, so a resume point is found by arithmetic.
class RingEventLog : public EventLog
{
public:
    explicit RingEventLog(int capacity, QByteArray epoch = EventId::newEpoch());

    Event append(Event draft) override;
    Replay replaySince(QByteArrayView lastEventId, int maxEvents = std::numeric_limits<int>::max()) const override;
    QByteArray headId() const override;
    QList<Event> recent(int count) const override;
    int size() const override { return int(m_events.size()); }
    int capacity() const override { return m_capacity; }
    bool isPersistent() const override { return false; }
    void flush() override {}

protected:
    // For back ends that load a stored history: puts events back without new ids.
    void restore(const QByteArray &epoch, quint64 headSeq, QList<Event> events);
    // Called for every appended event, after it has its id and frame.
    virtual void stored(const Event &event, quint64 seq);
    quint64 headSeq() const { return m_headSeq; }

private:
    void trim();

    int m_capacity;
    QByteArray m_epoch;
    quint64 m_headSeq = 0;
    std::deque<Event> m_events; // seq of m_events[i] is m_headSeq - size() + 1 + i
};
