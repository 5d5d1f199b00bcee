#include "eventsummary.h"

#include "event.h"

EventSummary EventSummary::of(const Event &event, qint64 delivered)
{
    EventSummary summary;
    summary.id = QString::fromLatin1(event.id);
    summary.name = QString::fromUtf8(event.name);
    summary.data = QString::fromUtf8(event.data.left(maxData));
    summary.size = event.data.size();
    if (!event.target.isBroadcast())
        summary.target = event.target.toJson();
    summary.time = event.createdAt;
    summary.delivered = delivered;
    return summary;
}

QJsonObject EventSummary::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
                     {QStringLiteral("event"), name.isEmpty() ? QJsonValue() : QJsonValue(name)},
                     {QStringLiteral("data"), data},
                     {QStringLiteral("size"), size},
                     {QStringLiteral("target"), target.isEmpty() ? QJsonValue() : QJsonValue(target)},
                     {QStringLiteral("time"), time.toString(Qt::ISODateWithMs)}};
    if (delivered >= 0)
        json.insert(QStringLiteral("delivered"), delivered);
    return json;
}

EventSummary EventSummary::fromJson(const QJsonObject &object)
{
    EventSummary summary;
    summary.id = object.value(QStringLiteral("id")).toString();
    summary.name = object.value(QStringLiteral("event")).toString();
    summary.data = object.value(QStringLiteral("data")).toString();
    summary.size = object.value(QStringLiteral("size")).toInteger();
    summary.target = object.value(QStringLiteral("target")).toObject();
    summary.time = QDateTime::fromString(object.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    const QJsonValue delivered = object.value(QStringLiteral("delivered"));
    summary.delivered = delivered.isDouble() ? delivered.toInteger() : -1;
    return summary;
}
