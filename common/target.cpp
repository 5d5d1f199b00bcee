#include "target.h"

#include <QJsonArray>

namespace {

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

// Reads one of the target's lists; returns an error message or an empty string.
QString readList(const QJsonObject &object, const QString &key, QStringList *out)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray())
        return QStringLiteral("target.%1 must be an array").arg(key);
    for (const QJsonValue &entry : value.toArray()) {
        QString text;
        if (entry.isString())
            text = entry.toString();
        else if (entry.isDouble() && entry.toDouble() == double(entry.toInteger()))
            text = QString::number(entry.toInteger());
        else
            return QStringLiteral("target.%1 entries must be strings or integers").arg(key);
        if (text.isEmpty())
            return QStringLiteral("target.%1 entries must not be empty").arg(key);
        if (text.size() > 256)
            return QStringLiteral("target.%1 entries must be at most 256 characters").arg(key);
        out->append(text);
    }
    return {};
}

} // namespace

QJsonObject Target::toJson() const
{
    QJsonObject object;
    if (!sessions.isEmpty())
        object.insert(QStringLiteral("sessions"), toArray(sessions));
    if (!users.isEmpty())
        object.insert(QStringLiteral("users"), toArray(users));
    if (!groups.isEmpty())
        object.insert(QStringLiteral("groups"), toArray(groups));
    return object;
}

std::optional<Target> Target::fromJson(const QJsonValue &value, QString *error)
{
    const auto fail = [error](const QString &message) {
        *error = message;
        return std::optional<Target>();
    };
    if (value.isUndefined() || value.isNull())
        return Target{};
    if (!value.isObject())
        return fail(QStringLiteral("target must be an object"));
    const QJsonObject object = value.toObject();
    static const QStringList known{QStringLiteral("sessions"), QStringLiteral("users"),
                                   QStringLiteral("groups")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(QStringLiteral("unknown field target.%1").arg(it.key()));
    }
    Target target;
    for (const auto &[key, list] : {std::pair{known[0], &target.sessions},
                                    std::pair{known[1], &target.users},
                                    std::pair{known[2], &target.groups}}) {
        if (const QString message = readList(object, key, list); !message.isEmpty())
            return fail(message);
    }
    // An empty recipient list computed by a publisher must not turn into "everyone".
    if (target.isBroadcast())
        return fail(QStringLiteral("target names no session, user or group (leave target out to send to everyone)"));
    return target;
}
