#pragma once

#include "principal.h"

#include <QJsonObject>

#include <optional>

// Maps verified JWT claims to the principal of a stream: "sub" (string or integer) is the
// user id, "name" the user name, "groups" an array of group names or of {"id", "name"}
// objects, "sid" the session id. Only "sub" is required: a token names a user. Other
// claims are ignored. A claim of the wrong type gives nothing and an error naming it.
struct JwtPrincipal final
{
    static constexpr qsizetype maxGroups = 256;
    static constexpr qsizetype maxTextLength = 256;

    static std::optional<Principal> fromClaims(const QJsonObject &claims, QString *error);
};
