#include "statstick.h"

QJsonObject StatsTick::toJson() const
{
    QJsonObject json{{QStringLiteral("type"), QStringLiteral("stats")},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("eventsPerSecond"), eventsPerSecond},
            {QStringLiteral("deliveriesPerSecond"), deliveriesPerSecond},
            {QStringLiteral("bytesPerSecond"), bytesPerSecond},
            {QStringLiteral("droppedSlowConsumers"), droppedSlowConsumers},
            {QStringLiteral("eventsPublished"), eventsPublished},
            {QStringLiteral("consoles"), consoles},
            {QStringLiteral("testFaults"), testFaults},
            {QStringLiteral("activeFaults"), activeFaults}};
    if (limitsHit)
        json.insert(QStringLiteral("limitsHit"), *limitsHit);
    if (historySize)
        json.insert(QStringLiteral("historySize"), *historySize);
    return json;
}

std::optional<StatsTick> StatsTick::fromJson(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("stats"))
        return std::nullopt;
    StatsTick tick;
    tick.connections = message.value(QStringLiteral("connections")).toInteger();
    tick.eventsPerSecond = message.value(QStringLiteral("eventsPerSecond")).toDouble();
    tick.deliveriesPerSecond = message.value(QStringLiteral("deliveriesPerSecond")).toDouble();
    tick.bytesPerSecond = message.value(QStringLiteral("bytesPerSecond")).toDouble();
    tick.droppedSlowConsumers = message.value(QStringLiteral("droppedSlowConsumers")).toInteger();
    tick.eventsPublished = message.value(QStringLiteral("eventsPublished")).toInteger();
    tick.consoles = message.value(QStringLiteral("consoles")).toInteger();
    tick.testFaults = message.value(QStringLiteral("testFaults")).toBool();
    tick.activeFaults = message.value(QStringLiteral("activeFaults")).toInteger();
    for (const auto &[key, field] : {std::pair{"limitsHit", &StatsTick::limitsHit},
                                     std::pair{"historySize", &StatsTick::historySize}}) {
        if (const QJsonValue value = message.value(QLatin1String(key)); value.isDouble())
            tick.*field = value.toInteger();
    }
    return tick;
}
