#include "clusterpresence.h"

#include "fanout.h"
#include "sseconnection.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcPresence, "eventsource.server.cluster.presence")

namespace {

constexpr int updatesPerBeat = 1000;
constexpr int logKept = 10000;
constexpr int logBlockMs = 5000;

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
    , m_logReader({m_options.url, m_options.timeoutMs, QStringLiteral("redis presence reader")})
    , m_instance(QByteArray::number(QRandomGenerator::system()->generate64(), 36))
{
    m_startedAt = now();
    connect(&m_redis, &RedisConnection::ready, this, &ClusterPresence::claim);
    connect(m_fanout, &Fanout::connectionOpened, this, &ClusterPresence::opened);
    connect(m_fanout, &Fanout::connectionClosed, this, [this](quint64 id, SseConnection::CloseReason reason) {
        closed(id, QString::fromLatin1(QMetaEnum::fromType<SseConnection::CloseReason>().valueToKey(int(reason)))
                       .toLower());
    });
    connect(m_fanout, &Fanout::connectionRenumbered, this, [this](quint64 oldId, const SseConnection *connection) {
        closed(oldId, QStringLiteral("renumbered"));
        opened(connection);
    });
    connect(&m_logReader, &RedisConnection::ready, this, [this] {
        if (m_logFrom.isEmpty())
            joinLog();
        else
            readLog();
    });
    m_heartbeat.setInterval(heartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, &ClusterPresence::heartbeat);
}

ClusterPresence::~ClusterPresence() = default;

void ClusterPresence::start()
{
    m_redis.open();
    m_logReader.open();
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
    qCInfo(lcPresence).nospace() << "node " << m_options.nodeId << " listed with " << m_reportedEvents.size()
                                 << " streams";
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
    QJsonArray updates;
    for (const SseConnection *connection : m_fanout->connections()) {
        qint64 &reported = m_reportedEvents[connection->info().id];
        if (reported == connection->eventsSent())
            continue;
        reported = connection->eventsSent();
        fields << QByteArray::number(connection->info().id) << compact(m_recordOf(*connection));
        updates.append(connection->update().toJson());
        if (fields.size() >= 2 + 2 * updatesPerBeat)
            break;
    }
    if (fields.size() > 2) {
        m_redis.command(fields, [](const RedisReply &) {});
        // One log entry for all of them: consoles on other nodes see the counters move.
        log({"op", "update", "id", "-", "u", QJsonDocument(updates).toJson(QJsonDocument::Compact)});
    }
    m_redis.command({"PEXPIRE", ownKey(), QByteArray::number(liveMs)}, [](const RedisReply &) {});
    if (!m_remote.isEmpty())
        listNodes([this](const QJsonArray &nodes, const QString &error) {
            if (error.isEmpty())
                forgetDeadNodes(nodes);
        });
}

void ClusterPresence::opened(const SseConnection *connection)
{
    m_reportedEvents.insert(connection->info().id, connection->eventsSent());
    if (!m_claimed || !m_redis.isReady())
        return;
    const QByteArray id = QByteArray::number(connection->info().id);
    const QByteArray record = compact(m_recordOf(*connection));
    m_redis.command({"HSET", ownKey(), id, record}, [](const RedisReply &) {});
    log({"op", "open", "id", id, "r", record});
}

void ClusterPresence::closed(quint64 connectionId, const QString &reason)
{
    m_reportedEvents.remove(connectionId);
    if (!m_claimed || !m_redis.isReady())
        return;
    const QByteArray id = QByteArray::number(connectionId);
    m_redis.command({"HDEL", ownKey(), id}, [](const RedisReply &) {});
    log({"op", "close", "id", id, "reason", reason.toUtf8()});
}

void ClusterPresence::log(const QList<QByteArray> &fields)
{
    QList<QByteArray> arguments{"XADD", key(QStringLiteral("presence-log")), "MAXLEN", "~",
                                QByteArray::number(logKept), "*", "node", m_options.nodeId.toUtf8()};
    arguments += fields;
    m_redis.command(arguments, [](const RedisReply &) {});
}

void ClusterPresence::joinLog()
{
    m_logReader.command({"XREVRANGE", key(QStringLiteral("presence-log")), "+", "-", "COUNT", "1"},
                        [this](const RedisReply &reply) {
        if (reply.isError())
            return;
        m_logFrom = "0-0";
        if (!reply.elements.isEmpty() && !reply.elements.first().elements.isEmpty())
            m_logFrom = reply.elements.first().elements.first().string;
        readLog();
    });
}

void ClusterPresence::readLog()
{
    if (m_reading || m_logFrom.isEmpty() || !m_logReader.isReady())
        return;
    m_reading = true;
    m_logReader.command({"XREAD", "COUNT", "1000", "BLOCK", QByteArray::number(logBlockMs), "STREAMS",
                         key(QStringLiteral("presence-log")), m_logFrom},
                        [this](const RedisReply &reply) {
        m_reading = false;
        if (reply.transport)
            return; // ready() reads on
        for (const RedisReply &stream : reply.elements) {
            for (const RedisReply &entry : stream.elements.value(1).elements) {
                if (entry.elements.size() != 2)
                    continue;
                m_logFrom = entry.elements[0].string;
                QHash<QByteArray, QByteArray> fields;
                const QList<RedisReply> &list = entry.elements[1].elements;
                for (qsizetype i = 0; i + 1 < list.size(); i += 2)
                    fields.insert(list[i].string, list[i + 1].string);
                const QString node = QString::fromUtf8(fields.value("node"));
                const QString id = QString::fromUtf8(fields.value("id"));
                if (node.isEmpty() || node == m_options.nodeId || id.isEmpty())
                    continue;
                if (fields.value("op") == "update") {
                    for (const QJsonValue &update : QJsonDocument::fromJson(fields.value("u")).array())
                        Q_EMIT remoteUpdated(update.toObject());
                    continue;
                }
                if (fields.value("op") == "open") {
                    QJsonObject record = QJsonDocument::fromJson(fields.value("r")).object();
                    record.insert(QStringLiteral("node"), node);
                    m_remote[node].insert(id);
                    Q_EMIT remoteOpened(record);
                } else if (fields.value("op") == "close") {
                    m_remote[node].remove(id);
                    Q_EMIT remoteClosed(id, QString::fromUtf8(fields.value("reason")));
                }
            }
        }
        if (reply.isError())
            QTimer::singleShot(1000, this, &ClusterPresence::readLog);
        else
            readLog();
    }, logBlockMs);
}

void ClusterPresence::forgetDeadNodes(const QJsonArray &liveNodes)
{
    QSet<QString> live;
    for (const QJsonValue &node : liveNodes)
        live.insert(node[QStringLiteral("id")].toString());
    for (auto it = m_remote.begin(); it != m_remote.end();) {
        if (live.contains(it.key())) {
            ++it;
            continue;
        }
        // A node that died says nothing more: its streams are gone with it.
        for (const QString &id : std::as_const(it.value()))
            Q_EMIT remoteClosed(id, QStringLiteral("nodegone"));
        it = m_remote.erase(it);
    }
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
        // Their stream counts as of now, not as of their last heartbeat.
        QList<QList<QByteArray>> counts;
        for (const QJsonObject &node : std::as_const(others))
            counts.append({"HLEN", key(QStringLiteral("presence:") + node.value(QStringLiteral("id")).toString())});
        askEach(counts, [self, others, done](const QList<RedisReply> &replies) mutable {
            QJsonArray nodes{self};
            for (qsizetype i = 0; i < others.size(); ++i) {
                if (replies[i].type == RedisReply::Type::Integer)
                    others[i].insert(QStringLiteral("connections"), replies[i].integer);
                nodes.append(others[i]);
            }
            done(nodes, {});
        });
    });
}

void ClusterPresence::askEach(const QList<QList<QByteArray>> &commands,
                              std::function<void(const QList<RedisReply> &replies)> done)
{
    if (commands.isEmpty())
        return done({});
    // One connection answers in order: the last reply completes the list.
    auto replies = std::make_shared<QList<RedisReply>>();
    for (const QList<QByteArray> &command : commands) {
        m_redis.command(command, [replies, total = commands.size(), done](const RedisReply &reply) {
            replies->append(reply);
            if (replies->size() == total)
                done(*replies);
        });
    }
}

void ClusterPresence::listOthers(ListDone done)
{
    listNodes([this, done = std::move(done)](const QJsonArray &nodes, const QString &error) {
        if (!error.isEmpty())
            return done({}, error);
        QStringList others;
        QList<QList<QByteArray>> listings;
        for (qsizetype i = 1; i < nodes.size(); ++i) {
            others.append(nodes[i].toObject().value(QStringLiteral("id")).toString());
            listings.append({"HGETALL", key(QStringLiteral("presence:") + others.last())});
        }
        askEach(listings, [others, done](const QList<RedisReply> &replies) {
            QJsonArray records;
            QString error;
            for (qsizetype i = 0; i < replies.size(); ++i) {
                if (replies[i].isError())
                    error = QString::fromUtf8(replies[i].string);
                for (qsizetype j = 1; j < replies[i].elements.size(); j += 2) {
                    QJsonObject record = QJsonDocument::fromJson(replies[i].elements[j].string).object();
                    record.insert(QStringLiteral("node"), others[i]);
                    records.append(record);
                }
            }
            done(records, error);
        });
    });
}
