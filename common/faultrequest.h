#pragma once

#include "target.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/faults (and the control channel's fault.add): {"type", "connection"}
// or {"type", "target": {...}} (neither: every stream), with the type's parameters and
// "expiresInS". The server reads it with fromJson(), the CLI and the console write it with
// toJson().
struct FaultRequest final
{
    enum class Type { Stall, Cut, Reject, Duplicate, Malformed };

    static constexpr int maxDurationMs = 10 * 60 * 1000;
    static constexpr int defaultExpiresInS = 10 * 60;
    static constexpr int maxExpiresInS = 24 * 60 * 60;
    static constexpr int maxCount = 1000000;
    static constexpr int maxRetryAfterS = 24 * 60 * 60;

    Type type = Type::Stall;
    QString connection; // one stream (for reject: its session); empty: the target
    Target target;
    int durationMs = 0;  // stall
    int status = 0;      // reject: 204, 401, 429 or 503
    int count = 1;       // reject: how many stream requests
    int retryAfterS = 0; // reject with 429 or 503; 0: no Retry-After
    int expiresInS = defaultExpiresInS;

    static std::optional<FaultRequest> fromJson(const QJsonObject &body, QString *error);
    QJsonObject toJson() const;

    static QString typeName(Type type);
    static std::optional<Type> typeFromName(const QString &name);
    // "stall", "cut", "reject", "duplicate", "malformed".
    static QStringList typeNames();
    static bool isRejectStatus(int status);
};
