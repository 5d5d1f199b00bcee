#include "connectionrecord.h"

#include "principal.h"

#include <QJsonArray>

namespace {

QJsonValue nullable(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonValue time(const QDateTime &when)
{
    return when.isValid() ? QJsonValue(when.toString(Qt::ISODateWithMs)) : QJsonValue();
}

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &entry : value.toArray())
        out.append(entry.toString());
    return out;
}

} // namespace

QJsonObject ConnectionRecord::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id},
            {QStringLiteral("session"), session},
            {QStringLiteral("userId"), nullable(userId)},
            {QStringLiteral("userName"), nullable(userName)},
            {QStringLiteral("groups"), QJsonArray::fromStringList(groups)},
            {QStringLiteral("groupIds"), QJsonArray::fromStringList(groupIds)},
            {QStringLiteral("remoteAddress"), remoteAddress},
            {QStringLiteral("userAgent"), userAgent},
            {QStringLiteral("protocol"), protocol},
            {QStringLiteral("filter"), QJsonArray::fromStringList(filter)},
            {QStringLiteral("connectedAt"), time(connectedAt)},
            {QStringLiteral("expiresAt"), time(expiresAt)},
            {QStringLiteral("eventsSent"), eventsSent},
            {QStringLiteral("bytesSent"), bytesSent},
            {QStringLiteral("lastEventId"), lastEventId},
            {QStringLiteral("resume"), QJsonObject{{QStringLiteral("lastEventId"), nullable(resume.lastEventId)},
                                                   {QStringLiteral("via"), nullable(resume.via)},
                                                   {QStringLiteral("status"), resume.status},
                                                   {QStringLiteral("replayed"), resume.replayed}}}};
    if (!node.isEmpty())
        json.insert(QStringLiteral("node"), node);
    return json;
}

QList<ConnectionRecord> ConnectionRecord::listFromJson(const QJsonValue &array)
{
    QList<ConnectionRecord> records;
    for (const QJsonValue &entry : array.toArray()) {
        if (const std::optional<ConnectionRecord> record = fromJson(entry.toObject()))
            records.append(*record);
    }
    return records;
}

std::optional<ConnectionRecord> ConnectionRecord::fromJson(const QJsonObject &object)
{
    const QJsonValue id = object.value(QStringLiteral("id"));
    if (!id.isString() || id.toString().isEmpty())
        return std::nullopt;
    ConnectionRecord record;
    record.id = id.toString();
    record.session = object.value(QStringLiteral("session")).toString();
    record.userId = object.value(QStringLiteral("userId")).toString();
    record.userName = object.value(QStringLiteral("userName")).toString();
    record.groups = strings(object.value(QStringLiteral("groups")));
    record.groupIds = strings(object.value(QStringLiteral("groupIds")));
    record.remoteAddress = object.value(QStringLiteral("remoteAddress")).toString();
    record.userAgent = object.value(QStringLiteral("userAgent")).toString();
    record.protocol = object.value(QStringLiteral("protocol")).toString();
    record.filter = strings(object.value(QStringLiteral("filter")));
    record.connectedAt = QDateTime::fromString(object.value(QStringLiteral("connectedAt")).toString(), Qt::ISODateWithMs);
    record.expiresAt = QDateTime::fromString(object.value(QStringLiteral("expiresAt")).toString(), Qt::ISODateWithMs);
    record.eventsSent = object.value(QStringLiteral("eventsSent")).toInteger();
    record.bytesSent = object.value(QStringLiteral("bytesSent")).toInteger();
    record.lastEventId = object.value(QStringLiteral("lastEventId")).toString();
    record.node = object.value(QStringLiteral("node")).toString();
    const QJsonObject resume = object.value(QStringLiteral("resume")).toObject();
    record.resume.lastEventId = resume.value(QStringLiteral("lastEventId")).toString();
    record.resume.via = resume.value(QStringLiteral("via")).toString();
    record.resume.status = resume.value(QStringLiteral("status")).toString(QStringLiteral("none"));
    record.resume.replayed = resume.value(QStringLiteral("replayed")).toInteger();
    return record;
}

bool ConnectionRecord::operator==(const ConnectionRecord &other) const
{
    return toJson() == other.toJson();
}

QJsonObject ConnectionUpdate::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("eventsSent"), eventsSent},
            {QStringLiteral("bytesSent"), bytesSent},
            {QStringLiteral("lastEventId"), lastEventId}};
}

ConnectionUpdate ConnectionUpdate::fromJson(const QJsonObject &object)
{
    return {object.value(QStringLiteral("id")).toString(), object.value(QStringLiteral("eventsSent")).toInteger(),
            object.value(QStringLiteral("bytesSent")).toInteger(), object.value(QStringLiteral("lastEventId")).toString()};
}

bool ConnectionRecord::wouldReceive(const QByteArray &name, const Target &target) const
{
    if (!filter.isEmpty() && (name.isEmpty() || !filter.contains(QString::fromUtf8(name))))
        return false;
    return Principal{session, userId, userName, groupIds, groups}.isAddressedBy(target);
}
