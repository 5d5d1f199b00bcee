#include "controlserver.h"

#include "adminauth.h"
#include "adminoperations.h"
#include "clusterpresence.h"
#include "clientaddress.h"
#include "connectionssnapshot.h"
#include "controlhello.h"
#include "controlprotocol.h"
#include "controlsession.h"
#include "eventsbatch.h"
#include "faultinjector.h"
#include "hub.h"
#include "statstick.h"

#include <QAbstractHttpServer>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QNetworkRequest>
#include <QPointer>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcControlServer, "eventsource.server.control")

namespace {

QString reasonName(SseConnection::CloseReason reason)
{
    return QString::fromLatin1(QMetaEnum::fromType<SseConnection::CloseReason>().valueToKey(int(reason))).toLower();
}

} // namespace

ControlServer::ControlServer(Hub *hub, const AdminOperations *operations, AdminAuth *auth, Options options,
                             QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_operations(operations)
    , m_auth(auth)
    , m_options(std::move(options))
    , m_origins(m_options.allowOrigins)
{
    connect(&hub->fanout(), &Fanout::connectionOpened, this, &ControlServer::handleConnectionOpened);
    connect(&hub->fanout(), &Fanout::connectionClosed, this, &ControlServer::handleConnectionClosed);
    connect(&hub->fanout(), &Fanout::connectionRenumbered, this,
            [this](quint64 oldId, const SseConnection *connection) {
                m_reportedEvents.remove(oldId);
                queueClosed(oldId, QStringLiteral("renumbered"));
                handleConnectionOpened(connection);
            });
    connect(hub, &Hub::eventPublished, this, &ControlServer::handleEventPublished);
    m_batchTimer.setInterval(batchIntervalMs);
    m_batchTimer.setSingleShot(true);
    connect(&m_batchTimer, &QTimer::timeout, this, &ControlServer::flushBatches);
    m_statsTimer.setInterval(statsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &ControlServer::sendStats);
    m_statsTimer.start();
}

ControlServer::~ControlServer()
{
    for (ControlSession *session : std::as_const(m_sessions))
        disconnect(session, nullptr, this, nullptr);
}

void ControlServer::attach(QAbstractHttpServer *listener)
{
    connect(listener, &QAbstractHttpServer::newWebSocketConnection, this,
            [this, listener] { handleNewConnection(listener); });
}

void ControlServer::turnAway(std::unique_ptr<QWebSocket> socket, QWebSocketProtocol::CloseCode code,
                             const QString &reason)
{
    ++m_refusedSockets;
    // A socket must be deleted once closed, or each one leaks (QT64-NOTES.md).
    QWebSocket *raw = socket.release();
    connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
    raw->close(code, reason);
    if (raw->state() == QAbstractSocket::UnconnectedState)
        delete raw;
}

int ControlServer::unauthenticatedCount() const
{
    return int(std::count_if(m_sessions.cbegin(), m_sessions.cend(),
                             [](const ControlSession *session) { return !session->isAuthenticated(); }));
}

QJsonObject ControlServer::hello(bool authenticated) const
{
    ControlHello hello;
    hello.version = ControlProtocol::version;
    hello.authenticated = authenticated;
    hello.topics = {QLatin1String(ControlProtocol::topicConnections), QLatin1String(ControlProtocol::topicEvents),
                    QLatin1String(ControlProtocol::topicStats)};
    if (authenticated) {
        hello.serverVersion = QStringLiteral(ESH_VERSION);
        hello.streamUrl = m_streamUrl;
        hello.testFaults = m_operations->faultInjector() != nullptr;
    }
    return hello.toJson();
}

void ControlServer::handleNewConnection(QAbstractHttpServer *listener)
{
    while (listener->hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = listener->nextPendingWebSocketConnection();
        if (!socket)
            continue;
        // Before anything is read: what an anonymous peer may make the server parse.
        socket->setMaxAllowedIncomingFrameSize(quint64(maxUnauthenticatedMessageBytes));
        socket->setMaxAllowedIncomingMessageSize(quint64(maxUnauthenticatedMessageBytes));
        if (socket->requestUrl().path() != QLatin1String(ControlProtocol::path)) {
            turnAway(std::move(socket), QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("unknown path"));
            continue;
        }
        // A page in a browser must not drive the admin channel from another site (the
        // browser sends its Origin; consoles and scripts send none).
        const QNetworkRequest &request = socket->request();
        if (m_origins.check(request.rawHeader("Origin"), request.rawHeader("Host")) == CorsPolicy::Verdict::Refused) {
            if (const std::optional<qint64> heldBack = m_refusalLog.admit()) {
                qCInfo(lcControlServer).nospace().noquote()
                    << "console refused reason=origin peer=" << ClientAddress::text(socket->peerAddress())
                    << " refusals_not_logged=" << *heldBack;
            }
            turnAway(std::move(socket), QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("origin not allowed"));
            continue;
        }
        const QByteArray header = request.rawHeader("Authorization");
        bool authenticated = false;
        if (!header.isEmpty()) {
            const AdminAuth::Result auth = m_auth->checkHeader(header, socket->peerAddress(), "control");
            if (!auth.allowed()) {
                auto *session = new ControlSession(std::move(socket), false, m_options.maxBufferBytes, this);
                session->refuse(auth.verdict == AdminAuth::Verdict::Throttled
                                    ? QStringLiteral("too many wrong admin tokens from this address; retry later")
                                    : QStringLiteral("wrong admin token"));
                continue;
            }
            authenticated = true;
        } else if (unauthenticatedCount() >= maxUnauthenticated) {
            // 1013 "Try Again Later" (RFC 6455 registry); Qt 6.4 has no name for it.
            turnAway(std::move(socket), QWebSocketProtocol::CloseCode(1013),
                     QStringLiteral("too many unauthenticated consoles"));
            continue;
        }
        const QHostAddress peer = socket->peerAddress();
        auto *session = new ControlSession(std::move(socket), authenticated, m_options.maxBufferBytes, this);
        if (authenticated)
            session->setAuthenticated(m_options.maxMessageBytes);
        m_sessions.append(session);
        connect(session, &ControlSession::messageReceived, this, &ControlServer::handleMessage);
        connect(session, &ControlSession::cutOff, this, [this] { ++m_cutOff; });
        connect(session, &ControlSession::closed, this, [this](ControlSession *closed) {
            m_sessions.removeOne(closed);
        });
        session->send(hello(authenticated));
        if (authenticated)
            qCInfo(lcControlServer).nospace().noquote() << "console connected peer=" << ClientAddress::text(peer)
                                              << " consoles=" << m_sessions.size();
    }
}

void ControlServer::handleMessage(ControlSession *session, const QString &text)
{
    QString error;
    const std::optional<QJsonObject> request = ControlProtocol::decode(text.toUtf8(), &error);
    if (!session->isAuthenticated()) {
        // Only an auth message may come first; anything else ends the session.
        const bool isAuth = request && request->value(QStringLiteral("type")).toString() == QLatin1String("auth");
        if (!isAuth) {
            session->refuse(QStringLiteral("authenticate first with {\"type\": \"auth\", \"token\": ...}"));
            return;
        }
        const AdminAuth::Result auth = m_auth->checkToken(
            request->value(QStringLiteral("token")).toString().toUtf8(), session->peerAddress(), "control");
        if (!auth.allowed()) {
            session->refuse(auth.verdict == AdminAuth::Verdict::Throttled
                                ? QStringLiteral("too many wrong admin tokens from this address; retry later")
                                : QStringLiteral("wrong admin token"));
            return;
        }
        session->setAuthenticated(m_options.maxMessageBytes);
        qCInfo(lcControlServer).nospace().noquote() << "console connected peer="
                                                    << ClientAddress::text(session->peerAddress())
                                          << " consoles=" << m_sessions.size();
        session->send(ControlProtocol::result(request->value(QStringLiteral("id")),
                                              {{QStringLiteral("authenticated"), true},
                                               {QStringLiteral("serverVersion"), QStringLiteral(ESH_VERSION)},
                                               {QStringLiteral("streamUrl"), m_streamUrl.toString()},
                                               {QStringLiteral("testFaults"), m_operations->faultInjector() != nullptr}}));
        return;
    }
    if (!request) {
        session->send(ControlProtocol::error(QJsonValue(), error));
        return;
    }
    handleRequest(session, *request);
}

void ControlServer::handleRequest(ControlSession *session, const QJsonObject &request)
{
    const QString type = request.value(QStringLiteral("type")).toString();
    const QJsonValue id = request.value(QStringLiteral("id"));
    QJsonObject body = request;
    body.remove(QStringLiteral("type"));
    body.remove(QStringLiteral("id"));
    // Answers now or later (once stored, or from Redis): a console gone meanwhile gets nothing.
    const QPointer<ControlSession> guard(session);
    const auto result = [guard, id](const QJsonObject &answer) {
        if (guard)
            guard->send(ControlProtocol::result(id, answer));
    };
    const auto reply = [guard, id](const AdminOperations::Outcome &outcome) {
        if (guard)
            guard->send(outcome.failure == AdminOperations::Failure::None
                            ? ControlProtocol::result(id, outcome.result)
                            : ControlProtocol::error(id, outcome.error));
    };
    if (type == QLatin1String("auth"))
        return result({{QStringLiteral("authenticated"), true}});
    if (type == QLatin1String("subscribe") || type == QLatin1String("unsubscribe"))
        return subscribe(session, id, request.value(QStringLiteral("topics")), type == QLatin1String("subscribe"));
    if (type == QLatin1String("push") && body.contains(QStringLiteral("events"))) {
        // A batch: {"type": "push", "id", "events": [push bodies]}, answered {"events": [...]}.
        const QJsonValue events = body.value(QStringLiteral("events"));
        if (!events.isArray() || body.size() != 1)
            return session->send(ControlProtocol::error(
                id, QStringLiteral("a batch push has only \"events\": an array of push bodies")));
        return m_operations->pushBatch(events.toArray(), reply);
    }
    if (type == QLatin1String("push"))
        return m_operations->push(body, reply);
    if (type == QLatin1String("pause"))
        return reply(m_operations->pause(body));
    // Requests on one named thing: a string field, given to the operation.
    using Operation = AdminOperations::Outcome (AdminOperations::*)(const QString &) const;
    static const struct { const char *type; const char *field; Operation operation; } named[] = {
        {"kick", "connection", &AdminOperations::kick},
        {"trace", "connection", &AdminOperations::trace},
        {"event.status", "event", &AdminOperations::eventStatus},
        {"fault.remove", "fault", &AdminOperations::removeFault},
    };
    for (const auto &[name, field, operation] : named) {
        if (type != QLatin1String(name))
            continue;
        const QJsonValue value = request.value(QLatin1String(field));
        if (!value.isString())
            return session->send(ControlProtocol::error(
                id, QStringLiteral("%1 needs \"%2\": \"<id>\"").arg(QLatin1String(name), QLatin1String(field))));
        return reply((m_operations->*operation)(value.toString()));
    }
    if (type == QLatin1String("fault.add")) {
        const QJsonValue fault = request.value(QStringLiteral("fault"));
        if (!fault.isObject())
            return session->send(ControlProtocol::error(id, QStringLiteral("fault.add needs \"fault\": {\"type\", ...}")));
        return reply(m_operations->addFault(fault.toObject()));
    }
    if (type == QLatin1String("reset"))
        return reply(m_operations->reset());
    if (type == QLatin1String("fault.list"))
        return reply(m_operations->faults());
    if (type == QLatin1String("connections"))
        return m_operations->clusterConnections(request.value(QStringLiteral("user")).toString(),
                                                request.value(QStringLiteral("group")).toString(), result);
    if (type == QLatin1String("nodes"))
        return m_operations->nodes(result);
    if (type == QLatin1String("stats"))
        return result(m_operations->stats());
    if (type == QLatin1String("history"))
        return result(m_operations->history(request.value(QStringLiteral("limit")).toInt(100)));
    if (type == QLatin1String("ping"))
        return result({});
    session->send(ControlProtocol::error(id, QStringLiteral("unknown message type '%1'").arg(type.left(64))));
}

void ControlServer::subscribe(ControlSession *session, const QJsonValue &id, const QJsonValue &topics, bool on)
{
    static const QStringList known{QLatin1String(ControlProtocol::topicConnections),
                                   QLatin1String(ControlProtocol::topicEvents),
                                   QLatin1String(ControlProtocol::topicStats)};
    if (!topics.isArray() || topics.toArray().isEmpty())
        return session->send(ControlProtocol::error(id, QStringLiteral("topics must be a non-empty array")));
    QStringList names;
    for (const QJsonValue &topic : topics.toArray()) {
        if (!known.contains(topic.toString()))
            return session->send(ControlProtocol::error(
                id, QStringLiteral("unknown topic '%1' (known: %2)").arg(topic.toString().left(64), known.join(u", "))));
        names.append(topic.toString());
    }
    const bool snapshot = on && names.contains(QLatin1String(ControlProtocol::topicConnections))
        && !session->isSubscribed(QLatin1String(ControlProtocol::topicConnections));
    if (snapshot && m_presence) {
        // Every node's streams: from Redis, so the answer comes later.
        const QPointer<ControlSession> guard(session);
        return m_operations->clusterConnections({}, {}, [this, guard, id, names, on](const QJsonObject &result) {
            if (guard)
                finishSubscribe(guard, id, names, on, result.value(QStringLiteral("connections")).toArray());
        });
    }
    finishSubscribe(session, id, names, on,
                    snapshot ? m_operations->connections().value(QStringLiteral("connections")).toArray() : QJsonArray());
}

void ControlServer::finishSubscribe(ControlSession *session, const QJsonValue &id, const QStringList &names, bool on,
                                    const QJsonArray &all)
{
    for (const QString &topic : std::as_const(names)) {
        if (on && !session->isSubscribed(topic) && topic == QLatin1String(ControlProtocol::topicConnections)) {
            // The snapshot first, in pages, then the batches that follow it.
            QByteArrayList pages;
            for (const ConnectionsSnapshot &page : ConnectionsSnapshot::pages(all, snapshotPageSize))
                pages.append(ControlProtocol::encode(page.toJson()));
            session->sendBulk(pages);
        }
        if (on)
            session->subscribe(topic);
        else
            session->unsubscribe(topic);
    }
    session->send(ControlProtocol::result(id, {{QStringLiteral("topics"), QJsonArray::fromStringList(names)},
                                               {QStringLiteral("subscribed"), on}}));
}

bool ControlServer::anySubscribed(const char *topic) const
{
    const QString name = QLatin1String(topic);
    return std::any_of(m_sessions.begin(), m_sessions.end(),
                       [&name](const ControlSession *s) { return s->isAuthenticated() && s->isSubscribed(name); });
}

void ControlServer::broadcast(const char *topic, const QJsonObject &message)
{
    const QString name = QLatin1String(topic);
    const QList<ControlSession *> sessions = m_sessions;
    for (ControlSession *session : sessions) {
        if (session->isAuthenticated() && session->isSubscribed(name))
            session->send(message);
    }
}

void ControlServer::setPresence(ClusterPresence *presence)
{
    m_presence = presence;
    connect(presence, &ClusterPresence::remoteOpened, this, [this](const QJsonObject &json) {
        if (const std::optional<ConnectionRecord> record = ConnectionRecord::fromJson(json))
            queueOpened(record->id.toULongLong(), *record);
    });
    connect(presence, &ClusterPresence::remoteClosed, this, [this](const QString &id, const QString &reason) {
        queueClosed(id.toULongLong(), reason);
    });
    connect(presence, &ClusterPresence::remoteUpdated, this, [this](const QJsonObject &update) {
        if (anySubscribed(ControlProtocol::topicConnections) && m_remoteUpdated.size() < maxUpdatesPerTick)
            m_remoteUpdated.append(ConnectionUpdate::fromJson(update));
    });
}

void ControlServer::handleConnectionOpened(const SseConnection *connection)
{
    if (!anySubscribed(ControlProtocol::topicConnections))
        return;
    ConnectionRecord record = AdminOperations::record(*connection);
    if (m_presence)
        record.node = m_presence->nodeId();
    queueOpened(connection->info().id, record);
}

void ControlServer::queueOpened(quint64 id, const ConnectionRecord &record)
{
    if (!anySubscribed(ControlProtocol::topicConnections))
        return;
    m_opened.insert(id, record);
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void ControlServer::handleConnectionClosed(quint64 id, SseConnection::CloseReason reason)
{
    m_reportedEvents.remove(id);
    queueClosed(id, reasonName(reason));
}

void ControlServer::queueClosed(quint64 id, const QString &reason)
{
    if (!anySubscribed(ControlProtocol::topicConnections))
        return;
    // Opened and closed within one batch: the console never needs to hear of it.
    if (m_opened.remove(id))
        return;
    m_closed.append({QString::number(id), reason});
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void ControlServer::handleEventPublished(const Event &event, int delivered)
{
    if (!anySubscribed(ControlProtocol::topicEvents))
        return;
    if (m_events.events.size() >= maxEventsPerBatch)
        ++m_events.dropped;
    else
        m_events.events.append(EventSummary::of(event, delivered));
    if (!m_batchTimer.isActive())
        m_batchTimer.start();
}

void ControlServer::flushBatches()
{
    if (!m_opened.isEmpty() || !m_closed.isEmpty()) {
        // Pages of at most snapshotPageSize records keep each message small.
        ConnectionsBatch page;
        for (const ConnectionRecord &record : std::as_const(m_opened)) {
            page.opened.append(record);
            if (page.opened.size() == snapshotPageSize)
                broadcast(ControlProtocol::topicConnections, std::exchange(page, {}).toJson());
        }
        page.closed = std::exchange(m_closed, {});
        broadcast(ControlProtocol::topicConnections, page.toJson());
        m_opened.clear();
    }
    if (!m_events.events.isEmpty())
        broadcast(ControlProtocol::topicEvents, std::exchange(m_events, {}).toJson());
}

void ControlServer::sendStats()
{
    const FanoutStats &s = m_hub->fanout().stats();
    const qint64 eventsPublished = m_hub->stats().eventsPublished;
    const double seconds = statsIntervalMs / 1000.0;
    if (anySubscribed(ControlProtocol::topicStats)) {
        StatsTick tick;
        tick.connections = m_hub->fanout().connectionCount();
        tick.eventsPerSecond = double(eventsPublished - m_lastEvents) / seconds;
        tick.deliveriesPerSecond = double(s.deliveries - m_lastDeliveries) / seconds;
        tick.bytesPerSecond = double(s.bytesSent - m_lastBytes) / seconds;
        tick.droppedSlowConsumers = s.slowConsumersDropped;
        tick.eventsPublished = eventsPublished;
        tick.consoles = sessionCount();
        tick.limitsHit = m_operations->httpStats().limitsHit() + m_hub->stats().eventsTooLarge;
        tick.historySize = m_hub->bus().history().size;
        if (FaultInjector *faults = m_operations->faultInjector()) {
            tick.testFaults = true;
            tick.activeFaults = faults->activeCount();
        }
        broadcast(ControlProtocol::topicStats, tick.toJson());
    }
    m_lastEvents = eventsPublished;
    m_lastDeliveries = s.deliveries;
    m_lastBytes = s.bytesSent;

    // Counters of streams that sent something since the last report, a bounded number a tick.
    if (!anySubscribed(ControlProtocol::topicConnections))
        return;
    ConnectionsBatch batch;
    batch.updated = std::exchange(m_remoteUpdated, {});
    QList<ConnectionUpdate> &updated = batch.updated;
    const qsizetype remote = updated.size();
    const QList<SseConnection *> all = m_hub->fanout().connections();
    qsizetype scanned = 0;
    // Start where the last tick stopped, so no stream starves behind the cap.
    for (; scanned < all.size() && updated.size() - remote < maxUpdatesPerTick; ++scanned) {
        const SseConnection *connection = all[(m_updateCursor + scanned) % all.size()];
        const quint64 id = connection->info().id;
        qint64 &reported = m_reportedEvents[id];
        if (reported == connection->eventsSent())
            continue;
        reported = connection->eventsSent();
        updated.append(connection->update());
    }
    m_updateCursor = all.isEmpty() ? 0 : (m_updateCursor + scanned) % all.size();
    if (!batch.isEmpty())
        broadcast(ControlProtocol::topicConnections, batch.toJson());
}
