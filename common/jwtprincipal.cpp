#include "jwtprincipal.h"

#include <QJsonArray>

namespace {

// Reads a string claim (or, with allowInteger, an integral number as decimal text) into out.
// Returns an error message, or an empty string when the value is good.
QString readText(const QJsonValue &value, const QString &claim, bool allowInteger, QString *out)
{
    if (value.isString())
        *out = value.toString();
    else if (allowInteger && value.isDouble() && value.toDouble() == double(value.toInteger()))
        *out = QString::number(value.toInteger());
    else if (allowInteger)
        return QStringLiteral("claim %1 must be a string or an integer").arg(claim);
    else
        return QStringLiteral("claim %1 must be a string").arg(claim);
    if (out->isEmpty())
        return QStringLiteral("claim %1 must not be empty").arg(claim);
    if (out->size() > JwtPrincipal::maxTextLength)
        return QStringLiteral("claim %1 must be at most %2 characters")
            .arg(claim)
            .arg(JwtPrincipal::maxTextLength);
    return {};
}

// Absent and null mean the same for optional claims: some issuers write null for "none".
bool isAbsent(const QJsonValue &value)
{
    return value.isUndefined() || value.isNull();
}

void appendOnce(QStringList *list, const QString &text)
{
    if (!text.isEmpty() && !list->contains(text))
        list->append(text);
}

QString readGroups(const QJsonValue &value, Principal *principal)
{
    if (isAbsent(value))
        return {};
    if (!value.isArray())
        return QStringLiteral("claim groups must be an array");
    const QJsonArray groups = value.toArray();
    if (groups.size() > JwtPrincipal::maxGroups)
        return QStringLiteral("claim groups must have at most %1 entries")
            .arg(JwtPrincipal::maxGroups);
    for (qsizetype i = 0; i < groups.size(); ++i) {
        const QJsonValue entry = groups.at(i);
        const QString where = QStringLiteral("groups[%1]").arg(i);
        QString text;
        if (entry.isString()) {
            // A bare string is a group name, as group names are what issuers usually know.
            if (QString message = readText(entry, where, false, &text); !message.isEmpty())
                return message;
            appendOnce(&principal->groupNames, text);
            continue;
        }
        if (!entry.isObject())
            return QStringLiteral("claim %1 must be a string or an object").arg(where);
        const QJsonObject group = entry.toObject();
        const QJsonValue id = group.value(QLatin1String("id"));
        const QJsonValue name = group.value(QLatin1String("name"));
        if (isAbsent(id) && isAbsent(name))
            return QStringLiteral("claim %1 must have an id or a name").arg(where);
        if (!isAbsent(id)) {
            if (QString message = readText(id, where + QLatin1String(".id"), true, &text);
                !message.isEmpty())
                return message;
            appendOnce(&principal->groupIds, text);
        }
        if (!isAbsent(name)) {
            if (QString message = readText(name, where + QLatin1String(".name"), false, &text);
                !message.isEmpty())
                return message;
            appendOnce(&principal->groupNames, text);
        }
    }
    return {};
}

} // namespace

std::optional<Principal> JwtPrincipal::fromClaims(const QJsonObject &claims, QString *error)
{
    const auto fail = [error](const QString &message) {
        *error = message;
        return std::optional<Principal>();
    };
    Principal principal;
    const QJsonValue sub = claims.value(QLatin1String("sub"));
    if (isAbsent(sub))
        return fail(QStringLiteral("claim sub is missing"));
    if (QString message = readText(sub, QStringLiteral("sub"), true, &principal.userId);
        !message.isEmpty())
        return fail(message);

    const QJsonValue name = claims.value(QLatin1String("name"));
    if (!isAbsent(name)) {
        if (QString message = readText(name, QStringLiteral("name"), false, &principal.userName);
            !message.isEmpty())
            return fail(message);
    }
    const QJsonValue sid = claims.value(QLatin1String("sid"));
    if (!isAbsent(sid)) {
        if (QString message = readText(sid, QStringLiteral("sid"), false, &principal.sessionId);
            !message.isEmpty())
            return fail(message);
    }
    if (QString message = readGroups(claims.value(QLatin1String("groups")), &principal);
        !message.isEmpty())
        return fail(message);
    return principal;
}
