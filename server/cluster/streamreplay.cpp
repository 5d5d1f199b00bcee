#include "streamreplay.h"

#include "streamentry.h"

StreamReplay::StreamReplay(const QByteArray &after, qint64 epochMs, std::optional<quint64> readThrough,
                           int maxEvents)
    : m_epochMs(epochMs)
    , m_readThrough(readThrough)
    , m_count(qMax(1, maxEvents))
{
    const std::optional<EventId> id = EventId::parse(after);
    if (id && id->epoch == StreamEntry::epochText(epochMs))
        m_after = id;
}

QByteArray StreamReplay::start() const
{
    if (!m_after)
        return "-";
    // Our seq n is Redis seq n - 1: the events after it start at Redis seq n.
    return m_after->seq == 0 ? StreamEntry::redisId(m_epochMs, 0)
                             : "(" + StreamEntry::redisId(m_epochMs, m_after->seq - 1);
}

std::optional<EventLog::Replay> StreamReplay::interpret(const RedisReply &reply) const
{
    EventLog::Replay replay;
    if (reply.isError() || reply.elements.size() != 2) {
        replay.status = EventLog::ResumeStatus::Unknown;
        return replay;
    }
    const QList<RedisReply> &range = reply.elements[1].elements;
    bool capped = false;
    std::optional<quint64> firstSeq;
    for (const RedisReply &entry : range) {
        QString error;
        const std::optional<StreamEntry> decoded = StreamEntry::decode(entry, &error);
        if (!decoded || decoded->epochMs != m_epochMs)
            continue; // another program's entry, or one of an earlier epoch
        if (!firstSeq)
            firstSeq = decoded->redisSeq;
        if (!m_readThrough || decoded->redisSeq > *m_readThrough) {
            capped = true;
            break;
        }
        replay.events.append(decoded->event);
    }
    replay.complete = capped || range.size() < m_count;
    if (!m_after) {
        replay.status = EventLog::ResumeStatus::Unknown;
        return replay;
    }
    std::optional<quint64> lastSeq;
    if (!reply.elements[0].elements.isEmpty()) {
        const auto last = StreamEntry::parseId(reply.elements[0].elements.first().elements.value(0).string);
        if (last && last->first == m_epochMs)
            lastSeq = last->second;
    }
    const quint64 wanted = m_after->seq;
    if (wanted > 0 && (!lastSeq || wanted - 1 > *lastSeq))
        return std::nullopt;
    // The first event after ours should be Redis seq `wanted`; a later one: some were trimmed.
    if (firstSeq && *firstSeq > wanted)
        replay.status = EventLog::ResumeStatus::TooOld;
    return replay;
}
