#pragma once

#include "eventid.h"
#include "eventlog.h"
#include "redisreply.h"

#include <QByteArray>

#include <optional>

// A resume read from the cluster's stream, worked out without Redis: where the page starts,
// and what the answer of the replay script ([the newest entry], [a page of entries]) means
// for the stream resuming from `after`, with the rules of a single node's history (exact,
// too-old: everything retained, unknown: everything retained). Only entries this node has
// read are replayed; its reader brings the rest as live events.
class StreamReplay final
{
public:
    // readThrough: the Redis seq of the last entry this node has read in epochMs, if any.
    StreamReplay(const QByteArray &after, qint64 epochMs, std::optional<quint64> readThrough, int maxEvents);

    // The XRANGE start of the page.
    QByteArray start() const;
    int count() const { return m_count; }
    // What the script answered. Nothing when the id turned out to be from no history known
    // (a seq past the newest of this epoch): replay again from the start (after = "").
    std::optional<EventLog::Replay> interpret(const RedisReply &reply) const;

private:
    std::optional<EventId> m_after; // set when of epochMs
    qint64 m_epochMs;
    std::optional<quint64> m_readThrough;
    int m_count;
};
