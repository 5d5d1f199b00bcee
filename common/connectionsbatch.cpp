#include "connectionsbatch.h"

#include <QJsonArray>

QJsonObject ConnectionsBatch::toJson() const
{
    QJsonArray openedJson;
    for (const ConnectionRecord &record : opened)
        openedJson.append(record.toJson());
    QJsonArray closedJson;
    for (const Closed &entry : closed)
        closedJson.append(QJsonObject{{QStringLiteral("id"), entry.id}, {QStringLiteral("reason"), entry.reason}});
    QJsonArray updatedJson;
    for (const ConnectionUpdate &update : updated)
        updatedJson.append(update.toJson());
    return {{QStringLiteral("type"), QStringLiteral("connections.batch")},
            {QStringLiteral("opened"), openedJson},
            {QStringLiteral("closed"), closedJson},
            {QStringLiteral("updated"), updatedJson}};
}

std::optional<ConnectionsBatch> ConnectionsBatch::fromJson(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("connections.batch"))
        return std::nullopt;
    ConnectionsBatch batch;
    batch.opened = ConnectionRecord::listFromJson(message.value(QStringLiteral("opened")));
    for (const QJsonValue &entry : message.value(QStringLiteral("closed")).toArray()) {
        const QJsonObject object = entry.toObject();
        batch.closed.append({object.value(QStringLiteral("id")).toString(),
                             object.value(QStringLiteral("reason")).toString()});
    }
    for (const QJsonValue &entry : message.value(QStringLiteral("updated")).toArray())
        batch.updated.append(ConnectionUpdate::fromJson(entry.toObject()));
    return batch;
}
