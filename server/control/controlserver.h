#pragma once

#include "connectionsbatch.h"
#include "corspolicy.h"
#include "eventsbatch.h"
#include "logthrottle.h"
#include "sseconnection.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QWebSocketProtocol>

#include <memory>

class AdminAuth;
class AdminOperations;
class ControlSession;
class ClusterPresence;
class Hub;
class QAbstractHttpServer;
class QWebSocket;
struct Event;

// The control channel (ws://<admin listener>/control): consoles authenticate with the admin
// token, send the same operations as the admin API, and subscribe to live topics. Hub
// signals are collected and sent in batches at most every batchIntervalMs, each batch capped,
// so 15,000 streams connecting at once reach a console as a handful of messages.
// Before authentication a socket costs little: frames and messages are capped at
// maxUnauthenticatedMessageBytes, at most maxUnauthenticated sockets wait at once, a browser
// page may connect only from the listener's own origin or an allowed one, and the hello
// does not tell the server version.
class ControlServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlServer)

public:
    static constexpr int batchIntervalMs = 250;
    static constexpr int statsIntervalMs = 1000;
    static constexpr int maxEventsPerBatch = 200;
    static constexpr int maxUpdatesPerTick = 2000;
    static constexpr int snapshotPageSize = 500;
    static constexpr qint64 maxUnauthenticatedMessageBytes = 64 * 1024;
    static constexpr int maxUnauthenticated = 64;

    struct Options
    {
        qint64 maxBufferBytes = 512 * 1024;  // live messages queued for one console
        qint64 maxMessageBytes = 1024 * 1024; // incoming, once authenticated
        QStringList allowOrigins;             // browser origins besides the listener's own
    };

    ControlServer(Hub *hub, const AdminOperations *operations, AdminAuth *auth, Options options,
                  QObject *parent = nullptr);
    ~ControlServer() override;

    // Takes the WebSocket connections the admin listener upgrades.
    void attach(QAbstractHttpServer *listener);
    // In a cluster: the connections topic covers every node's streams.
    void setPresence(ClusterPresence *presence);
    // The public listener's stream URL, told to authenticated consoles (hello, auth result).
    void setStreamUrl(const QUrl &url) { m_streamUrl = url; }
    int sessionCount() const { return int(m_sessions.size()); }
    qint64 refusedSockets() const { return m_refusedSockets; }
    qint64 consolesCutOff() const { return m_cutOff; }

private:
    void handleNewConnection(QAbstractHttpServer *listener);
    QJsonObject hello(bool authenticated) const;
    // Closes a socket that is refused before any session exists.
    void turnAway(std::unique_ptr<QWebSocket> socket, QWebSocketProtocol::CloseCode code, const QString &reason);
    int unauthenticatedCount() const;
    void handleMessage(ControlSession *session, const QString &text);
    void handleRequest(ControlSession *session, const QJsonObject &request);
    void subscribe(ControlSession *session, const QJsonValue &id, const QJsonValue &topics, bool on);
    void handleConnectionOpened(const SseConnection *connection);
    void queueOpened(quint64 id, const ConnectionRecord &record);
    void queueClosed(quint64 id, const QString &reason);
    // The snapshot of the connections topic (in pages), then the subscription and its result.
    void finishSubscribe(ControlSession *session, const QJsonValue &id, const QStringList &topics, bool on,
                         const QJsonArray &snapshot);
    void handleConnectionClosed(quint64 id, SseConnection::CloseReason reason);
    void handleEventPublished(const Event &event, int delivered);
    void flushBatches();
    void sendStats();
    void broadcast(const char *topic, const QJsonObject &message);
    bool anySubscribed(const char *topic) const;

    Hub *m_hub;
    const AdminOperations *m_operations;
    AdminAuth *m_auth;
    Options m_options;
    CorsPolicy m_origins;
    QUrl m_streamUrl;
    LogThrottle m_refusalLog;
    QList<ControlSession *> m_sessions;
    QTimer m_batchTimer;
    QTimer m_statsTimer;
    // Pending batch contents.
    QHash<quint64, ConnectionRecord> m_opened;
    QList<ConnectionUpdate> m_remoteUpdated; // other nodes' counters, for the next tick (bounded per tick)
    ClusterPresence *m_presence = nullptr;
    QList<ConnectionsBatch::Closed> m_closed;
    EventsBatch m_events; // the next events.batch
    // For "updated" records and rates.
    QHash<quint64, qint64> m_reportedEvents;
    qsizetype m_updateCursor = 0;
    qint64 m_lastEvents = 0;
    qint64 m_lastDeliveries = 0;
    qint64 m_lastBytes = 0;
    qint64 m_cutOff = 0;
    qint64 m_refusedSockets = 0;
};
