#pragma once

#include "eventbus.h"
#include "redisreply.h"

#include <QByteArrayList>

#include <optional>

// A command for every node (kick, pause, close-session; a login or logout for the session
// stores) as an entry of the cluster's command stream: fields node (who sent it: that node
// applied it already), k (kick, pause, close-session, session-added, session-removed), and per
// kind c (connection id), d (delay ms), t (target JSON; empty for every stream), x (spared
// groups, JSON array), s (session id), g (session digest), u (user id), e (expiry, ms).
struct CommandEntry final
{
    QString node;
    EventBus::Command command;

    static QByteArrayList fields(const EventBus::Command &command, const QString &node);
    static std::optional<CommandEntry> decode(const RedisReply &entry, QString *error);
};
