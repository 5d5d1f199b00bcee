#pragma once

#include <QJsonObject>
#include <QStringList>

#include <optional>

// Who an event is addressed to. Empty means everyone (a broadcast); otherwise the union of
// the listed sessions, users and groups. Users and groups match by id or by name.
struct Target final
{
    QStringList sessions;
    QStringList users;
    QStringList groups;

    bool isBroadcast() const { return sessions.isEmpty() && users.isEmpty() && groups.isEmpty(); }
    QJsonObject toJson() const;
    bool operator==(const Target &other) const
    {
        return sessions == other.sessions && users == other.users && groups == other.groups;
    }

    // Accepts {"sessions": [...], "users": [...], "groups": [...]}, each optional but not all
    // empty; entries are strings or integers. Missing or null is a broadcast. Anything else
    // gives nothing and an error naming the field.
    static std::optional<Target> fromJson(const QJsonValue &value, QString *error);
};
