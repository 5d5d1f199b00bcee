#include "clustersessions.h"

#include "eventbus.h"
#include "sessionstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSessions, "eventsource.server.cluster.sessions")

namespace {

// Sets the key once for the whole cluster and returns it.
const QByteArray keyScript = R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
)lua";

} // namespace

ClusterSessions::ClusterSessions(Options options, SessionStore *sessions, EventBus *bus, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_sessions(sessions)
    , m_bus(bus)
    , m_redis({m_options.url, m_options.timeoutMs, QStringLiteral("redis sessions")})
{
    connect(&m_redis, &RedisConnection::ready, this, &ClusterSessions::takeKey);
    connect(m_bus, &EventBus::commandReceived, this, [this](const EventBus::Command &command) {
        if (command.kind == EventBus::Command::Kind::SessionAdded)
            m_sessions->adopt(command.sessionDigest, command.userId, command.expiresAt);
        else if (command.kind == EventBus::Command::Kind::SessionRemoved)
            m_sessions->forget(command.sessionDigest);
    });
}

ClusterSessions::~ClusterSessions() = default;

void ClusterSessions::start()
{
    m_redis.open();
}

void ClusterSessions::takeKey()
{
    if (m_sessions->hasReplica())
        return adoptStored();
    quint64 words[4];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray proposed = QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
    m_redis.command({"EVAL", keyScript, "1", key("session-key"), proposed}, [this](const RedisReply &reply) {
        if (reply.type != RedisReply::Type::String || reply.string.size() < 32) {
            if (!reply.transport) {
                qCWarning(lcSessions).nospace() << "no shared session key: " << reply.string;
                QTimer::singleShot(1000, this, &ClusterSessions::takeKey);
            }
            return;
        }
        SessionStore::Replica replica;
        replica.key = reply.string;
        replica.added = [this](const QByteArray &digest, const QString &userId, const QDateTime &expiresAt) {
            const QByteArray stored = QJsonDocument(QJsonObject{{QStringLiteral("u"), userId},
                                                                {QStringLiteral("e"), expiresAt.toMSecsSinceEpoch()}})
                                          .toJson(QJsonDocument::Compact);
            m_redis.command({"HSET", key("sessions"), digest, stored}, [](const RedisReply &) {});
            EventBus::Command command;
            command.kind = EventBus::Command::Kind::SessionAdded;
            command.sessionDigest = digest;
            command.userId = userId;
            command.expiresAt = expiresAt;
            m_bus->sendCommand(command);
        };
        replica.removed = [this](const QByteArray &digest) {
            m_redis.command({"HDEL", key("sessions"), digest}, [](const RedisReply &) {});
            EventBus::Command command;
            command.kind = EventBus::Command::Kind::SessionRemoved;
            command.sessionDigest = digest;
            m_bus->sendCommand(command);
        };
        m_sessions->setReplica(std::move(replica));
        qCInfo(lcSessions) << "sessions are shared with the cluster";
        adoptStored();
    });
}

void ClusterSessions::adoptStored()
{
    m_redis.command({"HGETALL", key("sessions")}, [this](const RedisReply &reply) {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        int adopted = 0;
        for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
            const QJsonObject stored = QJsonDocument::fromJson(reply.elements[i + 1].string).object();
            const qint64 expires = stored.value(QStringLiteral("e")).toInteger();
            if (expires <= now) {
                m_redis.command({"HDEL", key("sessions"), reply.elements[i].string}, [](const RedisReply &) {});
                continue;
            }
            m_sessions->adopt(reply.elements[i].string, stored.value(QStringLiteral("u")).toString(),
                              QDateTime::fromMSecsSinceEpoch(expires, Qt::UTC));
            ++adopted;
        }
        if (adopted > 0)
            qCInfo(lcSessions).nospace() << "adopted " << adopted << " sessions of the cluster";
    });
}
