#include "streamentry.h"

#include "sseencoder.h"

#include <QJsonDocument>
#include <QJsonObject>

QByteArrayList StreamEntry::fields(const Event &event)
{
    const QByteArray target = event.target.isBroadcast()
        ? QByteArray() : QJsonDocument(event.target.toJson()).toJson(QJsonDocument::Compact);
    return {"n", event.name, "d", event.data, "t", target,
            "c", QByteArray::number(event.createdAt.toMSecsSinceEpoch())};
}

std::optional<std::pair<qint64, quint64>> StreamEntry::parseId(const QByteArray &id)
{
    const qsizetype dash = id.indexOf('-');
    if (dash <= 0)
        return std::nullopt;
    bool msOk = false;
    bool seqOk = false;
    const qint64 ms = id.left(dash).toLongLong(&msOk);
    const quint64 seq = id.mid(dash + 1).toULongLong(&seqOk);
    if (!msOk || !seqOk || ms <= 0)
        return std::nullopt;
    return std::pair{ms, seq};
}

QByteArray StreamEntry::redisId(qint64 epochMs, quint64 redisSeq)
{
    return QByteArray::number(epochMs) + '-' + QByteArray::number(redisSeq);
}

QByteArray StreamEntry::eventId(qint64 epochMs, quint64 redisSeq)
{
    return epochText(epochMs) + '-' + QByteArray::number(redisSeq + 1);
}

std::optional<StreamEntry> StreamEntry::decode(const RedisReply &entry, QString *error)
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return std::nullopt;
    };
    if (entry.type != RedisReply::Type::Array || entry.elements.size() != 2
        || entry.elements[0].type != RedisReply::Type::String || entry.elements[1].type != RedisReply::Type::Array)
        return fail(QStringLiteral("not a stream entry"));
    const QByteArray &id = entry.elements[0].string;
    const std::optional<std::pair<qint64, quint64>> parts = parseId(id);
    if (!parts)
        return fail(QStringLiteral("entry id '%1' is not <ms>-<n>").arg(QString::fromLatin1(id.left(64))));
    StreamEntry decoded;
    decoded.epochMs = parts->first;
    decoded.redisSeq = parts->second;
    const QList<RedisReply> &values = entry.elements[1].elements;
    if (values.size() % 2 != 0)
        return fail(QStringLiteral("entry %1: odd field list").arg(QString::fromLatin1(id)));
    bool hasData = false;
    bool hasTime = false;
    Event &event = decoded.event;
    for (qsizetype i = 0; i < values.size(); i += 2) {
        const QByteArray &field = values[i].string;
        const QByteArray &value = values[i + 1].string;
        if (field == "n") {
            event.name = value;
        } else if (field == "d") {
            event.data = value;
            hasData = true;
        } else if (field == "t" && !value.isEmpty()) {
            QString targetError;
            const std::optional<Target> target = Target::fromJson(QJsonDocument::fromJson(value).object(), &targetError);
            if (!target || target->isBroadcast())
                return fail(QStringLiteral("entry %1: target: %2")
                                .arg(QString::fromLatin1(id), targetError.isEmpty() ? QStringLiteral("empty") : targetError));
            event.target = *target;
        } else if (field == "c") {
            bool ok = false;
            event.createdAt = QDateTime::fromMSecsSinceEpoch(value.toLongLong(&ok), Qt::UTC);
            hasTime = ok;
        }
    }
    if (!hasData || !hasTime)
        return fail(QStringLiteral("entry %1: no d or c field").arg(QString::fromLatin1(id)));
    if (const QString nameError = Event::nameError(event.name); !nameError.isEmpty())
        return fail(QStringLiteral("entry %1: %2").arg(QString::fromLatin1(id), nameError));
    if (event.data.contains('\0'))
        return fail(QStringLiteral("entry %1: data holds NUL").arg(QString::fromLatin1(id)));
    event.id = eventId(decoded.epochMs, decoded.redisSeq);
    event.frame = SseEncoder::event(event.id, event.name, event.data).value_or(QByteArray());
    return decoded;
}
