#include "principal.h"

namespace {

bool containsAny(const QStringList &haystack, const QString &a, const QString &b = {})
{
    return (!a.isEmpty() && haystack.contains(a)) || (!b.isEmpty() && haystack.contains(b));
}

} // namespace

bool Principal::isAddressedBy(const Target &target) const
{
    if (target.isBroadcast())
        return true;
    if (containsAny(target.sessions, sessionId) || containsAny(target.users, userId, userName))
        return true;
    for (const QString &group : target.groups) {
        if (groupIds.contains(group) || groupNames.contains(group))
            return true;
    }
    return false;
}
