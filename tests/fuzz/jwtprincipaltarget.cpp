#include "fuzztargets.h"

#include "fuzzcheck.h"
#include "jwtprincipal.h"

namespace {

void checkEntries(const QStringList &list, qsizetype maxEntries, const char *what)
{
    FuzzTargets::check(list.size() <= maxEntries, what);
    QStringList unique = list;
    FuzzTargets::check(unique.removeDuplicates() == 0, what);
    for (const QString &entry : list)
        FuzzTargets::check(!entry.isEmpty() && entry.size() <= JwtPrincipal::maxTextLength, what);
}

bool addressedBy(const Principal &principal, const QStringList &sessions, const QStringList &users,
                 const QStringList &groups)
{
    return principal.isAddressedBy(Target{sessions, users, groups});
}

} // namespace

bool FuzzTargets::jwtPrincipal(const uint8_t *data, size_t size)
{
    const std::optional<QJsonObject> claims = jsonObject(data, size);
    if (!claims)
        return false;
    QString error;
    const std::optional<Principal> principal = JwtPrincipal::fromClaims(*claims, &error);
    check(principal.has_value() == error.isEmpty(), "principal and an error together, or neither");
    if (!principal)
        return false;

    checkEntries({principal->userId}, 1, "user id empty or too long");
    const QJsonValue sub = claims->value(QLatin1String("sub"));
    check(principal->userId == (sub.isString() ? sub.toString() : QString::number(sub.toInteger())),
          "user id is not the sub claim");
    check(principal->userName.size() <= JwtPrincipal::maxTextLength, "user name too long");
    check(principal->sessionId.size() <= JwtPrincipal::maxTextLength, "session id too long");
    checkEntries(principal->groupIds, JwtPrincipal::maxGroups, "bad group ids");
    checkEntries(principal->groupNames, JwtPrincipal::maxGroups, "bad group names");

    check(addressedBy(*principal, {}, {principal->userId}, {}), "not addressed by its user id");
    check(principal->userName.isEmpty() || addressedBy(*principal, {}, {principal->userName}, {}),
          "not addressed by its user name");
    check(principal->sessionId.isEmpty() || addressedBy(*principal, {principal->sessionId}, {}, {}),
          "not addressed by its session");
    for (const QString &group : principal->groupIds + principal->groupNames)
        check(addressedBy(*principal, {}, {}, {group}), "not addressed by its group");
    return true;
}
