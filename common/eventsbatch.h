#pragma once

#include "eventsummary.h"

#include <QList>

#include <optional>

// The control channel's "events.batch": the events published since the last batch, oldest
// first, and how many did not fit (docs/control-protocol.md).
struct EventsBatch final
{
    QList<EventSummary> events;
    qint64 dropped = 0;

    QJsonObject toJson() const;
    // Nullopt when the message is not an events.batch.
    static std::optional<EventsBatch> fromJson(const QJsonObject &message);
};
