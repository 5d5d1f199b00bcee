#pragma once

#include "connectionregistry.h"
#include "deliveryledger.h"
#include "eventbus.h"
#include "fanoutstats.h"
#include "flushpool.h"
#include "sseconnection.h"

#include <QMultiMap>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>
#include <optional>

// The delivery half of the hub: the streams of this node, and what reaches them. It reacts
// only to the bus: a committed event is queued, as one shared frame, on every stream its
// indices find; a command (kick, pause, close-session) from another node applies here as if
// it were given here. Queued frames go out once per event-loop turn (the flush pool splits
// large ones); idle streams get heartbeats; streams whose token expires are closed.
class Fanout final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Fanout)

public:
    struct Options
    {
        int heartbeatMs = 15000;
        int retryMs = 3000;
        int initialPadding = 0;
        qint64 maxBufferBytes = 512 * 1024;
        int sendThreads = 0; // helper threads for large flushes (FlushPool)
    };

    // What a subscriber asked for when it opened a stream (info.id is assigned here).
    struct StreamRequest
    {
        SseConnection::Info info;
        std::optional<QByteArray> lastEventId;
        SseConnection::ResumeVia lastEventIdVia = SseConnection::ResumeVia::Header;
    };

    // The name of the event a resumed stream gets when its Last-Event-ID could not be
    // resumed exactly (data {"reason": "too-old"} or {"reason": "unknown"}); all retained
    // events follow it.
    static constexpr char gapEventName[] = "eventsource-gap";

    // In a cluster a connection id carries its node's number from this bit on (ids of a
    // standalone node are below it; setNodeNumber() moves those opened before the node joined).
    static constexpr int nodeShift = 40;

    Fanout(EventBus *bus, Options options, QObject *parent = nullptr);
    ~Fanout() override;

    // Starts a stream on a sink that holds its response head: retry, replay, then live
    // events. A replay goes out as the sink drains, within the stream's buffer like live
    // events: a reading client gets all of it, one that does not read costs at most its
    // buffer, and no turn of the event loop spends more than a page on it.
    SseConnection *open(StreamRequest request, std::unique_ptr<StreamSink> sink);
    // Queues a committed event on its recipients; returns how many.
    int deliver(const Event &event);
    // pause(delay): the addressed streams, except those in exceptGroups (by id or name), get
    // "retry: delayMs" and are closed. Returns how many were paused.
    int pause(int delayMs, const Target &target = {}, const QStringList &exceptGroups = {});
    bool kick(quint64 connectionId);
    // Closes every stream of a session (login or logout changed who it is).
    int closeSession(const QString &sessionId);
    void apply(const EventBus::Command &command);
    // The bus lost events: every live stream gets the gap event (too-old).
    void signalLoss();
    // Every stream gets a final retry and is closed; drained() follows.
    void shutdown();
    // Test mode: every stream is closed and delivery records forgotten (the history is
    // cleared by its bus). Returns how many streams were closed.
    int reset();

    // Test faults: a stalled stream sends nothing until unstalled, then all it queued.
    void setStalled(SseConnection *connection, bool stalled);

    SseConnection *find(quint64 connectionId) const { return m_registry.find(connectionId); }
    // What became of one of the newest events here (delivered, queued, dropped); nullopt
    // when it is not among them.
    std::optional<DeliveryLedger::Status> deliveryStatus(const QByteArray &eventId) const
    {
        return m_ledger.status(eventId, m_registry.all());
    }
    const DeliveryLedger &ledger() const { return m_ledger; }
    // The last events (at most limit) the stream received, replayed and live, oldest first.
    std::vector<SseConnection::Received> trace(const SseConnection &connection, int limit) const;
    int connectionCount() const { return m_registry.size(); }
    int connectionsFrom(const QString &remoteAddress) const { return m_registry.countFrom(remoteAddress); }
    QList<SseConnection *> connections() const { return m_registry.all(); }
    QList<SseConnection *> connections(const Target &target) const { return m_registry.addressed(target); }
    // The streams an event would reach, now.
    QList<SseConnection *> recipients(const Event &event) const { return m_registry.recipients(event); }
    const FanoutStats &stats() const { return m_stats; }
    const Options &options() const { return m_options; }
    // The cluster number of this node (0: standalone), carried by the ids of its streams.
    // Streams opened before the node had it are given it now (connectionRenumbered()), so
    // that ids stay unique in the cluster.
    void setNodeNumber(quint64 number);
    quint64 nodeNumber() const { return m_nodeNumber; }

Q_SIGNALS:
    void connectionOpened(const SseConnection *connection);
    void connectionClosed(quint64 connectionId, SseConnection::CloseReason reason);
    // The stream, opened before the node joined a cluster, now carries the node's number.
    void connectionRenumbered(quint64 oldId, const SseConnection *connection);
    // After a committed event was queued on its recipients.
    void eventDelivered(const Event &event, int delivered);
    // Emitted when the last stream has closed after shutdown().
    void drained();

private:
    // Marks the stream for the flush at the end of this event-loop turn.
    void schedule(SseConnection *connection);
    // Queues a live event on the stream (ticket: its ledger entry), counting the test faults
    // that applied to it.
    void enqueueEvent(SseConnection *connection, const Event &event, quint32 ticket);
    void flushPending();
    void sendHeartbeats();
    // Asks the bus for the next part of a replay, as far as the stream's replay budget
    // allows; once the history has nothing more, the stream goes live.
    void continueReplay(SseConnection *connection);
    void replayPage(SseConnection *connection, const EventLog::Replay &page);
    void handleConnectionClosed(SseConnection *connection, SseConnection::CloseReason reason);
    void watchExpiry(SseConnection *connection);
    void closeExpired();
    void armExpiryTimer();

    EventBus *m_bus;
    Options m_options;
    ConnectionRegistry m_registry;
    QSet<SseConnection *> m_pending;
    QSet<SseConnection *> m_replayAsked; // a page asked of the bus, not answered yet
    qint64 m_replayBudgetBytes; // queued replay bytes a stream may have at once
    FlushPool m_flushPool;
    QTimer m_flushTimer;
    QTimer m_heartbeatTimer;
    QTimer m_expiryTimer;
    QMultiMap<QDateTime, quint64> m_expiries; // token expiry → connection id
    FanoutStats m_stats;
    DeliveryLedger m_ledger;
    quint64 m_lastConnectionId = 0;
    quint64 m_nodeNumber = 0;
    bool m_shuttingDown = false;
};
