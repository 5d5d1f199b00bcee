#pragma once

#include "eventid.h"
#include "eventlog.h"

#include <deque>

// The in-memory back end: the newest committed events, at most `capacity` of them and at
// most `maxBytes` of event memory, the oldest evicted first. A commit that failed leaves its
// sequence numbers unused, so retained events are found by sequence (binary search), and a
// resume is exact unless it asks for events after one already evicted.
class RingEventLog : public EventLog
{
public:
    static constexpr qint64 defaultMaxBytes = 64 * 1024 * 1024;

    explicit RingEventLog(int capacity, qint64 maxBytes = defaultMaxBytes,
                          QByteArray epoch = EventId::newEpoch());

    Event assign(Event draft) override;
    Commit commit(const QList<Event> &events) override;
    Replay replaySince(QByteArrayView lastEventId, int maxEvents = std::numeric_limits<int>::max()) const override;
    QByteArray headId() const override;
    QList<Event> recent(int count) const override;
    int size() const override { return int(m_events.size()); }
    int capacity() const override { return m_capacity; }
    qint64 bytes() const override { return m_bytes; }
    qint64 maxBytes() const override { return m_maxBytes; }
    bool isPersistent() const override { return false; }

    bool clear() override
    {
        restore(m_epoch, 0, 0, {});
        return true;
    }
    // The epoch of --test-mode: ids test-1, test-2...
    static constexpr char testEpoch[] = "test";

    // What one retained event counts against maxBytes: its data, name and frame.
    static qint64 footprint(const Event &event);

protected:
    // For back ends that load a stored history: puts committed events back without new ids;
    // events up to evictedThrough are known to be gone.
    void restore(const QByteArray &epoch, quint64 headSeq, quint64 evictedThrough, QList<Event> events);
    // The sequence number evicted last once `events` are retained too (what a store trims).
    quint64 evictedThroughAfter(const QList<Event> &events) const;
    quint64 headSeq() const { return m_headSeq; }
    const QByteArray &epoch() const { return m_epoch; }
    static quint64 seqOf(const Event &event);

private:
    struct Retained
    {
        quint64 seq;
        Event event;
    };
    void retain(const Event &event, quint64 seq);
    void evict();
    bool overBound(size_t count, qint64 bytes) const;

    int m_capacity;
    qint64 m_maxBytes;
    QByteArray m_epoch;
    quint64 m_assignedSeq = 0;    // the last sequence number handed out
    quint64 m_headSeq = 0;        // the last one committed
    quint64 m_evictedThrough = 0; // every sequence number up to this one is gone
    qint64 m_bytes = 0;
    std::deque<Retained> m_events; // increasing seq, not necessarily contiguous
};
