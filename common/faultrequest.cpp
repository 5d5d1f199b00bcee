#include "faultrequest.h"

namespace {

const char *const names[] = {"stall", "cut", "reject", "duplicate", "malformed"};

// A whole number in [low, high], or nothing.
std::optional<int> wholeNumber(const QJsonValue &value, int low, int high)
{
    if (!value.isDouble() || value.toDouble() != double(value.toInteger()) || value.toInteger() < low
        || value.toInteger() > high)
        return std::nullopt;
    return int(value.toInteger());
}

} // namespace

QString FaultRequest::typeName(Type type)
{
    return QLatin1String(names[int(type)]);
}

std::optional<FaultRequest::Type> FaultRequest::typeFromName(const QString &name)
{
    for (int i = 0; i < int(std::size(names)); ++i) {
        if (name == QLatin1String(names[i]))
            return Type(i);
    }
    return std::nullopt;
}

QStringList FaultRequest::typeNames()
{
    QStringList list;
    for (const char *name : names)
        list.append(QLatin1String(name));
    return list;
}

bool FaultRequest::isRejectStatus(int status)
{
    return status == 204 || status == 401 || status == 429 || status == 503;
}

std::optional<FaultRequest> FaultRequest::fromJson(const QJsonObject &body, QString *error)
{
    const auto fail = [error](const QString &message) {
        *error = message;
        return std::optional<FaultRequest>();
    };
    const std::optional<Type> type = typeFromName(body.value(QStringLiteral("type")).toString());
    if (!type)
        return fail(QStringLiteral("type must be one of %1").arg(typeNames().join(u", ")));
    // Parameters of one type are refused on another: a typo must not pass for a default.
    static const QStringList common{QStringLiteral("type"), QStringLiteral("connection"),
                                    QStringLiteral("target"), QStringLiteral("expiresInS")};
    QStringList known = common;
    if (*type == Type::Stall)
        known.append(QStringLiteral("durationMs"));
    if (*type == Type::Reject)
        known << QStringLiteral("status") << QStringLiteral("count") << QStringLiteral("retryAfterS");
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(QStringLiteral("unknown field '%1' for a %2 fault").arg(it.key().left(64), typeName(*type)));
    }
    FaultRequest request;
    request.type = *type;
    const QJsonValue connection = body.value(QStringLiteral("connection"));
    const QJsonValue target = body.value(QStringLiteral("target"));
    if (!connection.isUndefined()) {
        if (!target.isUndefined())
            return fail(QStringLiteral("give either connection or target, not both"));
        if (!connection.isString() || connection.toString().isEmpty() || connection.toString().size() > 64)
            return fail(QStringLiteral("connection must be a connection id (a string)"));
        request.connection = connection.toString();
    }
    const std::optional<Target> parsedTarget = Target::fromJson(target, error);
    if (!parsedTarget)
        return std::nullopt;
    request.target = *parsedTarget;
    if (const QJsonValue expires = body.value(QStringLiteral("expiresInS")); !expires.isUndefined()) {
        const std::optional<int> seconds = wholeNumber(expires, 1, maxExpiresInS);
        if (!seconds)
            return fail(QStringLiteral("expiresInS must be a whole number of seconds from 1 to %1").arg(maxExpiresInS));
        request.expiresInS = *seconds;
    }
    if (*type == Type::Stall) {
        const std::optional<int> duration = wholeNumber(body.value(QStringLiteral("durationMs")), 1, maxDurationMs);
        if (!duration)
            return fail(QStringLiteral("a stall needs durationMs, a whole number of milliseconds from 1 to %1")
                            .arg(maxDurationMs));
        request.durationMs = *duration;
    }
    if (*type == Type::Reject) {
        const std::optional<int> status = wholeNumber(body.value(QStringLiteral("status")), 100, 599);
        if (!status || !isRejectStatus(*status))
            return fail(QStringLiteral("a reject needs status 204, 401, 429 or 503"));
        request.status = *status;
        if (const QJsonValue count = body.value(QStringLiteral("count")); !count.isUndefined()) {
            const std::optional<int> parsed = wholeNumber(count, 1, maxCount);
            if (!parsed)
                return fail(QStringLiteral("count must be a whole number from 1 to %1").arg(maxCount));
            request.count = *parsed;
        }
        if (const QJsonValue retry = body.value(QStringLiteral("retryAfterS")); !retry.isUndefined()) {
            const std::optional<int> parsed = wholeNumber(retry, 0, maxRetryAfterS);
            if (!parsed)
                return fail(QStringLiteral("retryAfterS must be a whole number of seconds from 0 to %1")
                                .arg(maxRetryAfterS));
            if (*parsed > 0 && request.status != 429 && request.status != 503)
                return fail(QStringLiteral("retryAfterS goes with status 429 or 503"));
            request.retryAfterS = *parsed;
        }
    }
    return request;
}

QJsonObject FaultRequest::toJson() const
{
    QJsonObject body{{QStringLiteral("type"), typeName(type)}};
    if (!connection.isEmpty())
        body.insert(QStringLiteral("connection"), connection);
    else if (!target.isBroadcast())
        body.insert(QStringLiteral("target"), target.toJson());
    if (type == Type::Stall)
        body.insert(QStringLiteral("durationMs"), durationMs);
    if (type == Type::Reject) {
        body.insert(QStringLiteral("status"), status);
        body.insert(QStringLiteral("count"), count);
        if (retryAfterS > 0)
            body.insert(QStringLiteral("retryAfterS"), retryAfterS);
    }
    if (expiresInS != defaultExpiresInS)
        body.insert(QStringLiteral("expiresInS"), expiresInS);
    return body;
}
