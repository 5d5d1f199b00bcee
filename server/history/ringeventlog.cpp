#include "ringeventlog.h"

#include "sseencoder.h"

#include <algorithm>

RingEventLog::RingEventLog(int capacity, qint64 maxBytes, QByteArray epoch)
    : m_capacity(qMax(0, capacity))
    , m_maxBytes(qMax<qint64>(0, maxBytes))
    , m_epoch(std::move(epoch))
{
}

qint64 RingEventLog::footprint(const Event &event)
{
    return event.data.size() + event.name.size() + event.frame.size();
}

quint64 RingEventLog::seqOf(const Event &event)
{
    const std::optional<EventId> id = EventId::parse(event.id);
    return id ? id->seq : 0;
}

Event RingEventLog::assign(Event draft)
{
    draft.id = EventId{m_epoch, ++m_assignedSeq}.toByteArray();
    if (!draft.createdAt.isValid())
        draft.createdAt = QDateTime::currentDateTimeUtc();
    // The hub validated name and data; the id is ours and always single-line.
    draft.frame = SseEncoder::event(draft.id, draft.name, draft.data).value_or(QByteArray());
    return draft;
}

EventLog::Commit RingEventLog::commit(const QList<Event> &events)
{
    for (const Event &event : events)
        retain(event, seqOf(event));
    evict();
    return {};
}

void RingEventLog::retain(const Event &event, quint64 seq)
{
    m_headSeq = qMax(m_headSeq, seq);
    m_assignedSeq = qMax(m_assignedSeq, seq);
    m_events.push_back({seq, event});
    m_bytes += footprint(event);
}

bool RingEventLog::overBound(size_t count, qint64 bytes) const
{
    return count > size_t(m_capacity) || (count > 0 && bytes > m_maxBytes);
}

void RingEventLog::evict()
{
    while (overBound(m_events.size(), m_bytes)) {
        m_evictedThrough = m_events.front().seq;
        m_bytes -= footprint(m_events.front().event);
        m_events.pop_front();
    }
}

quint64 RingEventLog::evictedThroughAfter(const QList<Event> &events) const
{
    size_t count = m_events.size() + size_t(events.size());
    qint64 bytes = m_bytes;
    for (const Event &event : events)
        bytes += footprint(event);
    quint64 through = m_evictedThrough;
    // The oldest go first: retained ones, then (when a batch alone is over) its own.
    for (size_t i = 0; overBound(count, bytes); ++i, --count) {
        const bool retained = i < m_events.size();
        const Event &oldest = retained ? m_events[i].event : events[qsizetype(i - m_events.size())];
        through = retained ? m_events[i].seq : seqOf(oldest);
        bytes -= footprint(oldest);
    }
    return through;
}

EventLog::Replay RingEventLog::replaySince(QByteArrayView lastEventId, int maxEvents) const
{
    const auto from = [this, maxEvents](ResumeStatus status, size_t skip) {
        const size_t end = skip + qMin(m_events.size() - skip, size_t(qMax(0, maxEvents)));
        Replay replay{status, {}, end == m_events.size()};
        replay.events.reserve(qsizetype(end - skip));
        for (size_t i = skip; i < end; ++i)
            replay.events.append(m_events[i].event);
        return replay;
    };
    const std::optional<EventId> id = EventId::parse(lastEventId);
    if (!id || id->epoch != m_epoch || id->seq > m_headSeq)
        return from(ResumeStatus::Unknown, 0);
    if (id->seq < m_evictedThrough)
        return from(ResumeStatus::TooOld, 0);
    const auto after = std::upper_bound(m_events.begin(), m_events.end(), id->seq,
                                        [](quint64 seq, const Retained &retained) { return seq < retained.seq; });
    return from(ResumeStatus::Exact, size_t(after - m_events.begin()));
}

QByteArray RingEventLog::headId() const
{
    return EventId{m_epoch, m_headSeq}.toByteArray();
}

QList<Event> RingEventLog::recent(int count) const
{
    const size_t n = qMin(size_t(qMax(0, count)), m_events.size());
    QList<Event> events;
    events.reserve(qsizetype(n));
    for (auto it = m_events.end() - qsizetype(n); it != m_events.end(); ++it)
        events.append(it->event);
    return events;
}

void RingEventLog::restore(const QByteArray &epoch, quint64 headSeq, quint64 evictedThrough, QList<Event> events)
{
    m_epoch = epoch;
    m_events.clear();
    m_bytes = 0;
    m_headSeq = headSeq;
    m_assignedSeq = headSeq;
    m_evictedThrough = evictedThrough;
    for (const Event &event : events)
        retain(event, seqOf(event));
    evict();
}
