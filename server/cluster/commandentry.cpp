#include "commandentry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

QByteArray kindName(EventBus::Command::Kind kind)
{
    switch (kind) {
    case EventBus::Command::Kind::Kick:
        return "kick";
    case EventBus::Command::Kind::Pause:
        return "pause";
    case EventBus::Command::Kind::CloseSession:
        return "close-session";
    case EventBus::Command::Kind::SessionAdded:
        return "session-added";
    case EventBus::Command::Kind::SessionRemoved:
        return "session-removed";
    }
    return {};
}

} // namespace

QByteArrayList CommandEntry::fields(const EventBus::Command &command, const QString &node)
{
    QByteArrayList fields{"node", node.toUtf8(), "k", kindName(command.kind)};
    switch (command.kind) {
    case EventBus::Command::Kind::Kick:
        fields << "c" << QByteArray::number(command.connectionId);
        break;
    case EventBus::Command::Kind::Pause:
        fields << "d" << QByteArray::number(command.delayMs) << "t"
               << (command.target.isBroadcast() ? QByteArray()
                                                : QJsonDocument(command.target.toJson()).toJson(QJsonDocument::Compact))
               << "x"
               << QJsonDocument(QJsonArray::fromStringList(command.exceptGroups)).toJson(QJsonDocument::Compact);
        break;
    case EventBus::Command::Kind::CloseSession:
        fields << "s" << command.sessionId.toUtf8();
        break;
    case EventBus::Command::Kind::SessionAdded:
        fields << "g" << command.sessionDigest << "u" << command.userId.toUtf8() << "e"
               << QByteArray::number(command.expiresAt.toMSecsSinceEpoch());
        break;
    case EventBus::Command::Kind::SessionRemoved:
        fields << "g" << command.sessionDigest;
        break;
    }
    return fields;
}

std::optional<CommandEntry> CommandEntry::decode(const RedisReply &entry, QString *error)
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return std::nullopt;
    };
    if (entry.type != RedisReply::Type::Array || entry.elements.size() != 2
        || entry.elements[1].type != RedisReply::Type::Array || entry.elements[1].elements.size() % 2 != 0)
        return fail(QStringLiteral("not a stream entry"));
    QHash<QByteArray, QByteArray> values;
    const QList<RedisReply> &list = entry.elements[1].elements;
    for (qsizetype i = 0; i < list.size(); i += 2)
        values.insert(list[i].string, list[i + 1].string);
    CommandEntry decoded;
    decoded.node = QString::fromUtf8(values.value("node"));
    const QByteArray kind = values.value("k");
    bool ok = false;
    if (kind == "kick") {
        decoded.command.kind = EventBus::Command::Kind::Kick;
        decoded.command.connectionId = values.value("c").toULongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("kick without a connection id"));
    } else if (kind == "pause") {
        decoded.command.kind = EventBus::Command::Kind::Pause;
        decoded.command.delayMs = values.value("d").toInt(&ok);
        if (!ok || decoded.command.delayMs < 0)
            return fail(QStringLiteral("pause without a delay"));
        if (const QByteArray target = values.value("t"); !target.isEmpty()) {
            QString targetError;
            const std::optional<Target> parsed = Target::fromJson(QJsonDocument::fromJson(target).object(), &targetError);
            if (!parsed || parsed->isBroadcast())
                return fail(QStringLiteral("pause target: ") + targetError);
            decoded.command.target = *parsed;
        }
        for (const QJsonValue &group : QJsonDocument::fromJson(values.value("x")).array())
            decoded.command.exceptGroups.append(group.toString());
    } else if (kind == "close-session") {
        decoded.command.kind = EventBus::Command::Kind::CloseSession;
        decoded.command.sessionId = QString::fromUtf8(values.value("s"));
        if (decoded.command.sessionId.isEmpty())
            return fail(QStringLiteral("close-session without a session"));
    } else if (kind == "session-added" || kind == "session-removed") {
        const bool added = kind == "session-added";
        decoded.command.kind = added ? EventBus::Command::Kind::SessionAdded : EventBus::Command::Kind::SessionRemoved;
        decoded.command.sessionDigest = values.value("g");
        if (decoded.command.sessionDigest.size() != 32)
            return fail(QStringLiteral("%1 without a session digest").arg(QString::fromUtf8(kind)));
        if (added) {
            decoded.command.userId = QString::fromUtf8(values.value("u"));
            decoded.command.expiresAt = QDateTime::fromMSecsSinceEpoch(values.value("e").toLongLong(&ok), Qt::UTC);
            if (decoded.command.userId.isEmpty() || !ok)
                return fail(QStringLiteral("session-added without its user or expiry"));
        }
    } else {
        return fail(QStringLiteral("unknown command '%1'").arg(QString::fromUtf8(kind.left(32))));
    }
    if (decoded.node.isEmpty())
        return fail(QStringLiteral("command without its node"));
    return decoded;
}
