#pragma once

#include "redisconnection.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

class Fanout;
class SseConnection;

// Who is connected where, in Redis, for every node to list: each node keeps its streams in a
// hash of its own (<prefix>presence:<node>, one field per stream, set when it opens, deleted
// when it closes: never a rewrite of every stream) whose TTL a heartbeat refreshes every 4 s,
// and itself in <prefix>nodes. A node that stops removes both; one that dies drops out of
// every listing within 12 s. The counters of streams that sent something are refreshed with
// the heartbeat, at most 1,000 a beat.
class ClusterPresence final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterPresence)

public:
    struct Options
    {
        RedisUrl url;
        QString prefix = QStringLiteral("eventsource:");
        int timeoutMs = 2000;
        QString nodeId;
    };
    using RecordOf = std::function<QJsonObject(const SseConnection &)>;
    using ListDone = std::function<void(const QJsonArray &records, const QString &error)>;
    using NodesDone = std::function<void(const QJsonArray &nodes, const QString &error)>;

    // A node leaves the listings this long after its last heartbeat.
    static constexpr int liveMs = 12000;
    static constexpr int heartbeatMs = 4000;

    ClusterPresence(Options options, Fanout *fanout, RecordOf recordOf, QObject *parent = nullptr);
    ~ClusterPresence() override;

    void start();
    // Removes this node's entries (a clean stop).
    void stop();
    // The streams of the other live nodes, each with "node".
    void listOthers(ListDone done);
    // Every live node: id, number of streams, heartbeat time; this one first.
    void listNodes(NodesDone done);
    const QString &nodeId() const { return m_options.nodeId; }

Q_SIGNALS:
    // Another live node has this node id: a configuration error.
    void conflict(const QString &error);

private:
    QByteArray key(const QString &name) const { return (m_options.prefix + name).toUtf8(); }
    QByteArray ownKey() const { return key(QStringLiteral("presence:") + m_options.nodeId); }
    void claim();
    void announce(); // the full set of this node's streams, after (re)connecting
    void heartbeat();
    QByteArray nodeRecord() const;
    void opened(const SseConnection *connection);
    void closed(quint64 connectionId);

    Options m_options;
    Fanout *m_fanout;
    RecordOf m_recordOf;
    RedisConnection m_redis;
    QByteArray m_instance; // tells this process from another with the same node id
    QTimer m_heartbeat;
    QHash<quint64, qint64> m_reportedEvents; // stream id -> eventsSent last written
    qint64 m_startedAt = 0;
    bool m_claimed = false;
};
