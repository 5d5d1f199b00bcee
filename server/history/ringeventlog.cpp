#include "ringeventlog.h"

#include "sseencoder.h"

RingEventLog::RingEventLog(int capacity, QByteArray epoch)
    : m_capacity(qMax(0, capacity))
    , m_epoch(std::move(epoch))
{
}

Event RingEventLog::append(Event draft)
{
    const quint64 seq = ++m_headSeq;
    draft.id = EventId{m_epoch, seq}.toByteArray();
    if (!draft.createdAt.isValid())
        draft.createdAt = QDateTime::currentDateTimeUtc();
    // The hub validated name and data; the id is ours and always single-line.
    draft.frame = SseEncoder::event(draft.id, draft.name, draft.data).value_or(QByteArray());
    m_events.push_back(draft);
    trim();
    stored(draft, seq);
    return draft;
}

void RingEventLog::stored(const Event &, quint64)
{
}

void RingEventLog::trim()
{
    while (m_events.size() > size_t(m_capacity))
        m_events.pop_front();
}

EventLog::Replay RingEventLog::replaySince(QByteArrayView lastEventId, int maxEvents) const
{
    const auto from = [this, maxEvents](ResumeStatus status, size_t skip) {
        const size_t end = skip + qMin(m_events.size() - skip, size_t(qMax(0, maxEvents)));
        return Replay{status, QList<Event>(m_events.begin() + skip, m_events.begin() + end),
                      end == m_events.size()};
    };
    const std::optional<EventId> id = EventId::parse(lastEventId);
    if (!id || id->epoch != m_epoch || id->seq > m_headSeq)
        return from(ResumeStatus::Unknown, 0);
    const quint64 oldestSeq = m_headSeq - m_events.size() + 1;
    if (id->seq + 1 < oldestSeq)
        return from(ResumeStatus::TooOld, 0);
    return from(ResumeStatus::Exact, size_t(id->seq + 1 - oldestSeq));
}

QByteArray RingEventLog::headId() const
{
    return EventId{m_epoch, m_headSeq}.toByteArray();
}

QList<Event> RingEventLog::recent(int count) const
{
    const size_t n = qMin(size_t(qMax(0, count)), m_events.size());
    return QList<Event>(m_events.end() - n, m_events.end());
}

void RingEventLog::restore(const QByteArray &epoch, quint64 headSeq, QList<Event> events)
{
    m_epoch = epoch;
    m_headSeq = headSeq;
    m_events.assign(events.begin(), events.end());
    trim();
}
