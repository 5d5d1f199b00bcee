#pragma once

#include "redisconnection.h"

#include <QObject>

class EventBus;
class SessionStore;

// Login sessions valid on every node of a cluster. The nodes share a key (<prefix>session-key,
// made once); a login here is stored in <prefix>sessions by its keyed digest (never the id,
// which is a credential) and told to the other nodes through the bus, a logout likewise. A
// node that joins adopts the sessions stored (expired ones are dropped). Until Redis has
// answered, sessions are this node's own, as on a standalone server.
class ClusterSessions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterSessions)

public:
    struct Options
    {
        RedisUrl url;
        QString prefix = QStringLiteral("eventsource:");
        int timeoutMs = 2000;
    };

    ClusterSessions(Options options, SessionStore *sessions, EventBus *bus, QObject *parent = nullptr);
    ~ClusterSessions() override;

    void start();

private:
    QByteArray key(const char *name) const { return (m_options.prefix + QLatin1String(name)).toUtf8(); }
    void takeKey();
    void adoptStored();

    Options m_options;
    SessionStore *m_sessions;
    EventBus *m_bus;
    RedisConnection m_redis;
};
