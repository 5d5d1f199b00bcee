#include "eventsbatch.h"

#include <QJsonArray>

QJsonObject EventsBatch::toJson() const
{
    QJsonArray list;
    for (const EventSummary &event : events)
        list.append(event.toJson());
    return {{QStringLiteral("type"), QStringLiteral("events.batch")},
            {QStringLiteral("events"), list},
            {QStringLiteral("dropped"), dropped}};
}

std::optional<EventsBatch> EventsBatch::fromJson(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("events.batch"))
        return std::nullopt;
    EventsBatch batch;
    for (const QJsonValue &event : message.value(QStringLiteral("events")).toArray())
        batch.events.append(EventSummary::fromJson(event.toObject()));
    batch.dropped = message.value(QStringLiteral("dropped")).toInteger();
    return batch;
}
