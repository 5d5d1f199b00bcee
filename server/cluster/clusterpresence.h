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
// the heartbeat, at most 1,000 a beat. Opens and closes also go into a stream every node
// reads (<prefix>presence-log), so that live views (the control channel) see other nodes'
// streams come and go; a node that dies closes all of its streams there.
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
    // A stream of another node opened (its record, with "node") or closed.
    void remoteOpened(const QJsonObject &record);
    void remoteClosed(const QString &connectionId, const QString &reason);
    // Counters of another node's stream (id, eventsSent, bytesSent, lastEventId), every 4 s
    // for the streams that sent something.
    void remoteUpdated(const QJsonObject &update);

private:
    QByteArray key(const QString &name) const { return (m_options.prefix + name).toUtf8(); }
    QByteArray ownKey() const { return key(QStringLiteral("presence:") + m_options.nodeId); }
    void claim();
    void announce(); // the full set of this node's streams, after (re)connecting
    void heartbeat();
    QByteArray nodeRecord() const;
    void opened(const SseConnection *connection);
    void closed(quint64 connectionId, const QString &reason);
    void log(const QList<QByteArray> &fields);
    void joinLog();
    void readLog();
    void forgetDeadNodes(const QJsonArray &liveNodes);
    // Sends the commands and calls done with their replies, in order, once all are in.
    void askEach(const QList<QList<QByteArray>> &commands, std::function<void(const QList<RedisReply> &replies)> done);

    Options m_options;
    Fanout *m_fanout;
    RecordOf m_recordOf;
    RedisConnection m_redis;
    RedisConnection m_logReader;
    QByteArray m_logFrom; // the presence-log id read last; empty until joined
    bool m_reading = false;
    QHash<QString, QSet<QString>> m_remote; // node -> its open streams, as the log told
    QByteArray m_instance; // tells this process from another with the same node id
    QTimer m_heartbeat;
    QHash<quint64, qint64> m_reportedEvents; // stream id -> eventsSent last written
    qint64 m_startedAt = 0;
    bool m_claimed = false;
};
