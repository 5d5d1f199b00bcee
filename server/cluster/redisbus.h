#pragma once

#include "eventbus.h"
#include "redisconnection.h"
#include "ringeventlog.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>

#include <vector>

// The bus of a cluster node, on one Redis stream shared by every node (<prefix>events). A
// publish is XADDed by a script that first checks the history's epoch (<prefix>epoch), and
// is answered once Redis has it and this node's reader has read it back (so that committed()
// comes first, in the stream's one order) or, if the reader lags, after --redis-timeout-ms.
// A publish Redis does not take is answered with the reason (503): never a 200 for an event
// that is not stored. Every node reads the stream with XREAD BLOCK from its last id, so a
// reconnect reads on where it stopped. Replays come from the stream, up to what this node has
// read. A Redis that lost its data comes back without the epoch: a new one is made, and ids
// of the old one resume as unknown. Commands for the streams of other nodes (kick, pause,
// close-session) go through a second stream (<prefix>commands), read in the same XREAD.
class RedisBus final : public EventBus
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisBus)

public:
    struct Options
    {
        RedisUrl url;
        QString prefix = QStringLiteral("eventsource:");
        int timeoutMs = 2000;
        int capacity = 1000;                  // MAXLEN ~, and the events kept here for recent()
        qint64 maxBytes = 64 * 1024 * 1024;   // of those kept here
        QString nodeId;
    };
    struct Stats
    {
        bool connected = false;   // both connections ready and the epoch known
        bool reading = false;     // the reader is caught up with the stream
        QString lastError;
        qint64 reconnects = 0;
        qint64 publishFailures = 0;
        qint64 malformedEntries = 0;
        qint64 missedEntries = 0; // trimmed before this node read them
        qint64 commandFailures = 0; // commands Redis did not take
        qint64 publishesRefusedBusy = 0; // while this node's reader was too far behind
        qint64 lagEvents = 0;     // stream entries not read yet (last known)
    };

    explicit RedisBus(Options options, QObject *parent = nullptr);
    ~RedisBus() override;

    void start();
    void setNodeId(const QString &nodeId) { m_options.nodeId = nodeId; }

    void publish(Event draft, PublishCallback done) override;
    void replay(const QByteArray &after, int maxEvents, ReplayCallback done) override;
    QByteArray head() const override { return m_head; }
    QList<Event> recent(int count) const override { return m_recent.recent(count); }
    bool mayReach(const Event &event, const Principal &principal) const override
    {
        return principal.isAddressedBy(event.target);
    }
    HistoryStats history() const override;
    // Appended to the cluster's command stream; every other node applies it when read.
    void sendCommand(const Command &command) override;
    void flush() override;
    bool healthy() const override { return stats().reading; } // reading implies connected
    QJsonObject status() const override;

    Stats stats() const;

Q_SIGNALS:
    // The node has its number in the cluster (at its first join): ids of its streams carry it.
    void joined(quint64 nodeNumber);

private:
    struct Awaiting
    {
        Event event;
        PublishCallback done;
        qint64 deadline;
    };
    struct DeferredReplay
    {
        QByteArray after;
        int maxEvents;
        ReplayCallback done;
        qint64 deadline;
    };

    QByteArray key(const char *name) const { return (m_options.prefix + QLatin1String(name)).toUtf8(); }
    void learnEpoch();
    void adoptEpoch(qint64 epochMs);
    void join();
    void joinCommands();
    void takeNodeNumber();
    void applyCommand(const RedisReply &entry);
    void readNext();
    void handleRead(const RedisReply &reply);
    // False when reading must wait (an entry of a later epoch is being checked).
    bool deliver(const RedisReply &entry);
    void verifyEpoch(const QByteArray &entryId, qint64 epochMs);
    void answerAwaiting(const QByteArray &id);
    void resumeDeferred();
    // Our seq of the newest event this node has read (0: none yet).
    quint64 headSeq() const { return m_readSeq ? *m_readSeq + 1 : 0; }
    // Removes and returns the deferred replays that pass.
    std::vector<DeferredReplay> takeDeferred(const std::function<bool(const DeferredReplay &)> &pass);
    void runReplay(const QByteArray &after, int maxEvents, ReplayCallback done);
    void checkDeadlines();
    void measureLag();

    Options m_options;
    RedisConnection m_commands;
    RedisConnection m_reader;
    qint64 m_epochMs = 0;           // 0 until learnt
    QByteArray m_head;
    QByteArray m_readFrom;          // the Redis id read last; empty until joined
    QByteArray m_commandsFrom;      // the same in the command stream
    quint64 m_lastWrittenSeq = 0;   // the newest entry a publish of this node made, in m_epochMs
    std::optional<quint64> m_readSeq; // the Redis seq of the entry read last in m_epochMs
    bool m_reading = false;         // an XREAD is out
    bool m_verifying = false;       // the epoch key is being read back
    bool m_caughtUp = false;
    quint64 m_nodeNumber = 0;
    QHash<QByteArray, Awaiting> m_awaiting; // by event id
    std::vector<DeferredReplay> m_deferred;
    RingEventLog m_recent; // what this node read, for recent() and the history figures
    QElapsedTimer m_clock;
    QTimer m_deadlineTimer;
    QTimer m_lagTimer;
    Stats m_stats;
};
