#pragma once

#include "event.h"
#include "redisreply.h"

#include <QByteArrayList>
#include <QString>

#include <optional>

// How an event lives in the Redis stream: entry id "<epoch ms>-<n>", assigned by Redis, gap-
// free within an epoch; the event's own id is "<epoch ms, base 36>-<n + 1>", so that the
// first event never carries "<epoch>-0", the head of an empty history. Fields: n (name),
// d (data), t (target as JSON, empty for everyone), c (creation time, ms since the epoch).
// An entry another program wrote in another shape is refused, never half-read.
struct StreamEntry final
{
    qint64 epochMs = 0;
    quint64 redisSeq = 0;
    Event event;

    // The field arguments of XADD for an event (after the id).
    static QByteArrayList fields(const Event &event);
    // One entry of an XRANGE or XREAD reply: [id, [field, value, ...]].
    static std::optional<StreamEntry> decode(const RedisReply &entry, QString *error);
    // The parts of a Redis stream id, or nothing.
    static std::optional<std::pair<qint64, quint64>> parseId(const QByteArray &id);
    static QByteArray redisId(qint64 epochMs, quint64 redisSeq);
    // Our epoch text for a Redis epoch.
    static QByteArray epochText(qint64 epochMs) { return QByteArray::number(epochMs, 36); }
    static QByteArray eventId(qint64 epochMs, quint64 redisSeq);
};
