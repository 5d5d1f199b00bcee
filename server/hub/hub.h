#pragma once

#include "connectionregistry.h"
#include "eventlog.h"
#include "flushpool.h"
#include "hubstats.h"
#include "sseconnection.h"

#include <QElapsedTimer>
#include <QJsonValue>
#include <QMultiMap>
#include <QObject>
#include <QTimer>

#include <memory>

// The heart of the server: publishing assigns an id (event log), encodes the event once,
// finds its recipients through the registry's indices and queues the shared frame on each;
// queued frames go out once per event-loop turn. The C++ API mirrors wakanda-eventsource:
// push, pushEvent and their JSON variants, each returning the event id.
class Hub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Hub)

public:
    struct Options
    {
        int heartbeatMs = 15000;
        int retryMs = 3000;
        int initialPadding = 0;
        qint64 maxBufferBytes = 512 * 1024;
        qint64 maxEventBytes = 64 * 1024;
        int sendThreads = 0; // helper threads for large flushes (FlushPool)
    };

    enum class PublishError { None, InvalidName, InvalidData, InvalidTarget, TooLarge };
    Q_ENUM(PublishError)
    struct PublishResult
    {
        QByteArray id;
        int delivered = 0;
        PublishError error = PublishError::None;
        QString message;
    };

    // What a subscriber asked for when it opened a stream.
    struct StreamRequest
    {
        SseConnection::Info info;
        std::optional<QByteArray> lastEventId;
        QList<std::pair<QByteArray, QByteArray>> headers; // added to the fixed SSE headers
    };

    // The name of the event a resumed stream gets when its Last-Event-ID could not be
    // resumed exactly (data {"reason": "too-old"} or {"reason": "unknown"}); all retained
    // events follow it.
    static constexpr char gapEventName[] = "eventsource-gap";

    Hub(std::unique_ptr<EventLog> log, Options options, QObject *parent = nullptr);
    ~Hub() override;

    PublishResult push(const QByteArray &data, const Target &target = {});
    PublishResult pushEvent(const QByteArray &name, const QByteArray &data, const Target &target = {});
    // The value is sent JSON-encoded (a string becomes "\"...\"").
    PublishResult pushJson(const QByteArray &name, const QJsonValue &value, const Target &target = {});
    PublishResult publish(Event draft);

    // Targeted pushes (wakanda-eventsource's pushEventToSession/User/Group): one or several
    // sessions, users or groups, by id or by name; an empty name sends a plain message.
    PublishResult pushEventToSessions(const QStringList &sessions, const QByteArray &name, const QByteArray &data);
    PublishResult pushEventToUsers(const QStringList &users, const QByteArray &name, const QByteArray &data);
    PublishResult pushEventToGroups(const QStringList &groups, const QByteArray &name, const QByteArray &data);
    // To the user (by id) and session of a principal, as the seed takes a User object.
    PublishResult pushEventToPrincipal(const Principal &principal, const QByteArray &name, const QByteArray &data);

    // pause(delay): the addressed streams, except those in exceptGroups (by id or name),
    // get "retry: delayMs" and are closed, so clients come back after the delay. Returns
    // how many were paused.
    int pause(int delayMs, const Target &target = {}, const QStringList &exceptGroups = {});
    // Closes every stream of a session (login or logout changed who it is).
    int closeSession(const QString &sessionId);

    // Starts a stream on a connected descriptor (StreamSocket::takeOver()): headers, retry,
    // replay, then live events. A replay goes out as the socket drains, within the stream's
    // buffer like live events: a reading client gets all of it, one that does not read costs
    // at most its buffer, and no turn of the event loop spends more than a page on it.
    SseConnection *open(StreamRequest request, int descriptor);
    bool kick(quint64 connectionId);
    // Every stream gets a final retry and is closed; the history is flushed.
    void shutdown();

    quint64 nextConnectionId() { return ++m_lastConnectionId; }
    void countRejectedConnection() { ++m_stats.connectionsRejected; }
    void countRejectedPerAddress() { ++m_stats.connectionsRejectedPerAddress; }
    void countRefusedFilter() { ++m_stats.filtersRefused; }
    int connectionCount() const { return m_registry.size(); }
    int connectionsFrom(const QString &remoteAddress) const { return m_registry.countFrom(remoteAddress); }
    QList<SseConnection *> connections() const { return m_registry.all(); }
    QList<SseConnection *> connections(const Target &target) const { return m_registry.addressed(target); }
    const HubStats &stats() const { return m_stats; }
    const EventLog &log() const { return *m_log; }
    const Options &options() const { return m_options; }
    qint64 uptimeMs() const { return m_uptime.elapsed(); }

Q_SIGNALS:
    void connectionOpened(const SseConnection *connection);
    void connectionClosed(quint64 connectionId, SseConnection::CloseReason reason);
    void eventPublished(const Event &event, int delivered);
    // Emitted when the last stream has closed after shutdown().
    void drained();

private:
    PublishResult pushTargeted(const Target &target, const QByteArray &name, const QByteArray &data);
    // Marks the stream for the flush at the end of this event-loop turn.
    void schedule(SseConnection *connection);
    void flushPending();
    void sendHeartbeats();
    // Queues the next part of a replay, as far as the stream's replay budget allows; once the
    // history has nothing more, the stream goes live.
    void continueReplay(SseConnection *connection);
    void handleConnectionClosed(SseConnection *connection, SseConnection::CloseReason reason);
    void watchExpiry(SseConnection *connection);
    void closeExpired();
    void armExpiryTimer();

    std::unique_ptr<EventLog> m_log;
    Options m_options;
    ConnectionRegistry m_registry;
    QSet<SseConnection *> m_pending;
    qint64 m_replayBudgetBytes; // queued replay bytes a stream may have at once
    FlushPool m_flushPool;
    QTimer m_flushTimer;
    QTimer m_heartbeatTimer;
    QTimer m_expiryTimer;
    QMultiMap<QDateTime, quint64> m_expiries; // token expiry → connection id
    QElapsedTimer m_uptime;
    HubStats m_stats;
    quint64 m_lastConnectionId = 0;
    bool m_shuttingDown = false;
};
