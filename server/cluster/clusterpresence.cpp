#include "clusterpresence.h"

#include "fanout.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcPresence, "eventsource.server.cluster.presence")

namespace {

constexpr int updatesPerBeat = 1000;

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

ClusterPresence::ClusterPresence(Options options, Fanout *fanout, RecordOf recordOf, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_fanout(fanout)
    , m_recordOf(std::move(recordOf))
    , m_redis({m_options.url, m_options.timeoutMs, QStringLiteral("redis presence")})
    , m_instance(QByteArray::number(QRandomGenerator::system()->generate64(), 36))
{
    m_startedAt = now();
    connect(&m_redis, &RedisConnection::ready, this, &ClusterPresence::claim);
    connect(m_fanout, &Fanout::connectionOpened, this, &ClusterPresence::opened);
    connect(m_fanout, &Fanout::connectionClosed, this, [this](quint64 id) { closed(id); });
    m_heartbeat.setInterval(heartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &ClusterPresence::heartbeat);
}

ClusterPresence::~ClusterPresence() = default;

void ClusterPresence::start()
{
    m_redis.open();
    m_heartbeat.start();
}

void ClusterPresence::stop()
{
    m_heartbeat.stop();
    if (m_claimed) {
        m_redis.command({"DEL", ownKey()}, [](const RedisReply &) {});
        m_redis.command({"HDEL", key(QStringLiteral("nodes")), m_options.nodeId.toUtf8()}, [](const RedisReply &) {});
    }
    m_claimed = false;
}

QByteArray ClusterPresence::nodeRecord() const
{
    return compact({{QStringLiteral("id"), m_options.nodeId},
                    {QStringLiteral("instance"), QString::fromLatin1(m_instance)},
                    {QStringLiteral("connections"), m_fanout->connectionCount()},
                    {QStringLiteral("startedAt"), m_startedAt},
                    {QStringLiteral("heartbeatAt"), now()}});
}

void ClusterPresence::claim()
{
    // Another process alive under this node id would have its streams listed as ours; a
    // recent heartbeat may also be this node's own before a restart: a live one beats again.
    m_redis.command({"HGET", key(QStringLiteral("nodes")), m_options.nodeId.toUtf8()}, [this](const RedisReply &reply) {
        if (reply.transport || m_claimed)
            return;
        const QJsonObject other = QJsonDocument::fromJson(reply.string).object();
        const qint64 beat = other.value(QStringLiteral("heartbeatAt")).toInteger();
        if (other.isEmpty() || other.value(QStringLiteral("instance")).toString().toLatin1() == m_instance
            || now() - beat >= liveMs) {
            m_claimed = true;
            return announce();
        }
        QTimer::singleShot(heartbeatMs + 1000, this, [this, beat] {
            m_redis.command({"HGET", key(QStringLiteral("nodes")), m_options.nodeId.toUtf8()},
                            [this, beat](const RedisReply &again) {
                if (again.transport || m_claimed)
                    return;
                const QJsonObject later = QJsonDocument::fromJson(again.string).object();
                if (later.value(QStringLiteral("heartbeatAt")).toInteger() != beat
                    && later.value(QStringLiteral("instance")).toString().toLatin1() != m_instance) {
                    Q_EMIT conflict(QStringLiteral("node id '%1' is in use by a live node: give each node its own "
                                                   "--node-id").arg(m_options.nodeId));
                    return;
                }
                m_claimed = true;
                announce();
            });
        });
    });
}

void ClusterPresence::announce()
{
    // After a reconnect Redis may have lost our entries (or expired them): all of them again.
    m_redis.command({"DEL", ownKey()}, [](const RedisReply &) {});
    QList<QByteArray> fields{"HSET", ownKey()};
    m_reportedEvents.clear();
    for (const SseConnection *connection : m_fanout->connections()) {
        fields << QByteArray::number(connection->info().id) << compact(m_recordOf(*connection));
        m_reportedEvents.insert(connection->info().id, connection->eventsSent());
        if (fields.size() >= 2 + 2 * updatesPerBeat) {
            m_redis.command(fields, [](const RedisReply &) {});
            fields = {"HSET", ownKey()};
        }
    }
    if (fields.size() > 2)
        m_redis.command(fields, [](const RedisReply &) {});
    heartbeat();
}

void ClusterPresence::heartbeat()
{
    if (!m_claimed || !m_redis.isReady())
        return;
    m_redis.command({"HSET", key(QStringLiteral("nodes")), m_options.nodeId.toUtf8(), nodeRecord()},
                    [](const RedisReply &) {});
    // Counters of streams that sent something since the last beat, a bounded number.
    QList<QByteArray> fields{"HSET", ownKey()};
    for (const SseConnection *connection : m_fanout->connections()) {
        qint64 &reported = m_reportedEvents[connection->info().id];
        if (reported == connection->eventsSent())
            continue;
        reported = connection->eventsSent();
        fields << QByteArray::number(connection->info().id) << compact(m_recordOf(*connection));
        if (fields.size() >= 2 + 2 * updatesPerBeat)
            break;
    }
    if (fields.size() > 2)
        m_redis.command(fields, [](const RedisReply &) {});
    m_redis.command({"PEXPIRE", ownKey(), QByteArray::number(liveMs)}, [](const RedisReply &) {});
}

void ClusterPresence::opened(const SseConnection *connection)
{
    m_reportedEvents.insert(connection->info().id, connection->eventsSent());
    if (m_claimed && m_redis.isReady())
        m_redis.command({"HSET", ownKey(), QByteArray::number(connection->info().id),
                         compact(m_recordOf(*connection))},
                        [](const RedisReply &) {});
}

void ClusterPresence::closed(quint64 connectionId)
{
    m_reportedEvents.remove(connectionId);
    if (m_claimed && m_redis.isReady())
        m_redis.command({"HDEL", ownKey(), QByteArray::number(connectionId)}, [](const RedisReply &) {});
}

void ClusterPresence::listNodes(NodesDone done)
{
    m_redis.command({"HGETALL", key(QStringLiteral("nodes"))}, [this, done = std::move(done)](const RedisReply &reply) {
        QJsonObject self = QJsonDocument::fromJson(nodeRecord()).object();
        self.remove(QStringLiteral("instance"));
        if (reply.isError())
            return done(QJsonArray{self}, QString::fromUtf8(reply.string));
        QList<QJsonObject> others;
        for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
            QJsonObject node = QJsonDocument::fromJson(reply.elements[i + 1].string).object();
            if (node.value(QStringLiteral("id")).toString() == m_options.nodeId)
                continue;
            if (now() - node.value(QStringLiteral("heartbeatAt")).toInteger() >= liveMs) {
                // Dead: its streams' hash has expired by now; forget it.
                m_redis.command({"HDEL", key(QStringLiteral("nodes")), reply.elements[i].string}, [](const RedisReply &) {});
                continue;
            }
            node.remove(QStringLiteral("instance"));
            others.append(node);
        }
        if (others.isEmpty())
            return done(QJsonArray{self}, {});
        // Their stream counts as of now, not as of their last heartbeat.
        struct Gathered
        {
            QJsonArray nodes;
            qsizetype waiting = 0;
        };
        auto gathered = std::make_shared<Gathered>();
        gathered->nodes.append(self);
        gathered->waiting = others.size();
        for (const QJsonObject &node : std::as_const(others)) {
            m_redis.command({"HLEN", key(QStringLiteral("presence:") + node.value(QStringLiteral("id")).toString())},
                            [gathered, entry = node, done](const RedisReply &count) mutable {
                if (count.type == RedisReply::Type::Integer)
                    entry.insert(QStringLiteral("connections"), count.integer);
                gathered->nodes.append(entry);
                if (--gathered->waiting == 0)
                    done(gathered->nodes, {});
            });
        }
    });
}

void ClusterPresence::listOthers(ListDone done)
{
    listNodes([this, done = std::move(done)](const QJsonArray &nodes, const QString &error) {
        if (!error.isEmpty() || nodes.size() <= 1)
            return done({}, error);
        struct Gathered
        {
            QJsonArray records;
            int waiting = 0;
            QString error;
        };
        auto gathered = std::make_shared<Gathered>();
        gathered->waiting = int(nodes.size()) - 1;
        for (qsizetype i = 1; i < nodes.size(); ++i) {
            const QString node = nodes[i].toObject().value(QStringLiteral("id")).toString();
            m_redis.command({"HGETALL", key(QStringLiteral("presence:") + node)},
                            [gathered, node, done](const RedisReply &reply) {
                if (reply.isError())
                    gathered->error = QString::fromUtf8(reply.string);
                for (qsizetype j = 1; j < reply.elements.size(); j += 2) {
                    QJsonObject record = QJsonDocument::fromJson(reply.elements[j].string).object();
                    record.insert(QStringLiteral("node"), node);
                    gathered->records.append(record);
                }
                if (--gathered->waiting == 0)
                    done(gathered->records, gathered->error);
            });
        }
    });
}
