#include "pauserequest.h"

#include <QJsonArray>

std::optional<PauseRequest> PauseRequest::fromJson(const QJsonObject &body, QString *error)
{
    const auto fail = [error](const QString &message) {
        *error = message;
        return std::optional<PauseRequest>();
    };
    static const QStringList known{QStringLiteral("delay"), QStringLiteral("target"),
                                   QStringLiteral("exceptGroups")};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(QStringLiteral("unknown field '%1'").arg(it.key()));
    }
    PauseRequest request;
    const QJsonValue delay = body.value(QStringLiteral("delay"));
    if (!delay.isDouble() || delay.toDouble() != double(delay.toInteger())
        || delay.toInteger() < 0 || delay.toInteger() > maxDelayMs)
        return fail(QStringLiteral("delay must be a whole number of milliseconds from 0 to %1").arg(maxDelayMs));
    request.delayMs = int(delay.toInteger());
    const std::optional<Target> target = Target::fromJson(body.value(QStringLiteral("target")), error);
    if (!target)
        return std::nullopt;
    request.target = *target;
    const QJsonValue except = body.value(QStringLiteral("exceptGroups"));
    if (!except.isUndefined() && !except.isNull()) {
        if (!except.isArray())
            return fail(QStringLiteral("exceptGroups must be an array of group ids or names"));
        for (const QJsonValue &group : except.toArray()) {
            if (!group.isString() || group.toString().isEmpty())
                return fail(QStringLiteral("exceptGroups entries must be non-empty strings"));
            request.exceptGroups.append(group.toString());
        }
    }
    return request;
}

QJsonObject PauseRequest::body(qint64 delayMs, const QJsonObject &target, const QStringList &except)
{
    QJsonObject body{{QStringLiteral("delay"), delayMs}};
    if (!target.isEmpty())
        body.insert(QStringLiteral("target"), target);
    if (!except.isEmpty())
        body.insert(QStringLiteral("exceptGroups"), QJsonArray::fromStringList(except));
    return body;
}
