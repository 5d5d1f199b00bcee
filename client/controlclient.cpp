#include "controlclient.h"

#include "connectionsbatch.h"
#include "connectionssnapshot.h"
#include "controlhello.h"
#include "controlprotocol.h"
#include "eventsbatch.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcClient, "eventsource.client.control")

namespace {
constexpr int maxBackoffMs = 30000;
} // namespace

ControlClient::ControlClient(QObject *parent)
    : QObject(parent)
    , m_topics{QLatin1String(ControlProtocol::topicConnections), QLatin1String(ControlProtocol::topicEvents),
               QLatin1String(ControlProtocol::topicStats)}
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ControlClient::open);
}

ControlClient::~ControlClient()
{
    m_wanted = false;
    if (m_socket)
        m_socket->disconnect(this);
}

void ControlClient::connectToServer(const QUrl &adminUrl, const QString &token)
{
    disconnectFromServer();
    m_adminUrl = adminUrl;
    m_token = token;
    m_wanted = true;
    m_backoffMs = 1000;
    open();
}

void ControlClient::disconnectFromServer()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    failPending(QStringLiteral("disconnected"));
    setState(State::Disconnected);
}

void ControlClient::open()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    if (!m_tls.isNull())
        m_socket->setSslConfiguration(m_tls);
    connect(m_socket, &QWebSocket::connected, this, &ControlClient::handleConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &ControlClient::handleDisconnected);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &ControlClient::handleMessage);
    QUrl url = m_adminUrl;
    url.setScheme(url.scheme() == QLatin1String("https") || url.scheme() == QLatin1String("wss")
                      ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(QLatin1String(ControlProtocol::path));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    setState(m_state == State::Reconnecting ? State::Reconnecting : State::Connecting);
    m_socket->open(request);
}

void ControlClient::handleConnected()
{
    m_snapshotFirst = true;
    if (!m_topics.isEmpty())
        request(QStringLiteral("subscribe"), {{QStringLiteral("topics"), QJsonArray::fromStringList(m_topics)}});
}

void ControlClient::handleDisconnected()
{
    const bool refused = m_socket && m_socket->closeCode() == QWebSocketProtocol::CloseCodePolicyViolated;
    const QString reason = m_socket ? m_socket->closeReason() : QString();
    const QString error = m_socket ? m_socket->errorString() : QString();
    failPending(QStringLiteral("connection lost"));
    if (refused) {
        m_wanted = false;
        setState(State::AuthRefused, reason);
        return;
    }
    if (!m_wanted) {
        setState(State::Disconnected);
        return;
    }
    setState(State::Reconnecting, QStringLiteral("retrying in %1 s (%2)").arg(m_backoffMs / 1000).arg(error));
    m_reconnectTimer.start(m_backoffMs);
    m_backoffMs = qMin(maxBackoffMs, m_backoffMs * 2);
}

void ControlClient::handleMessage(const QString &text)
{
    QString error;
    const std::optional<QJsonObject> message = ControlProtocol::decode(text.toUtf8(), &error);
    if (!message) {
        qCWarning(lcClient) << "unreadable message from server:" << error;
        return;
    }
    const QString type = message->value(QStringLiteral("type")).toString();
    if (const std::optional<ControlHello> hello = ControlHello::fromJson(*message)) {
        m_serverVersion = hello->serverVersion;
        m_protocolVersion = hello->version;
        m_streamUrl = hello->streamUrlSeenFrom(m_adminUrl);
        m_testFaults = hello->testFaults;
        m_backoffMs = 1000;
        setState(State::Connected, m_serverVersion);
    } else if (type == QLatin1String("result") || type == QLatin1String("error")) {
        const Callback callback = m_pending.take(message->value(QStringLiteral("id")).toInteger(-1));
        if (callback)
            callback(message->value(QStringLiteral("result")).toObject(),
                     type == QLatin1String("error") ? message->value(QStringLiteral("message")).toString() : QString());
        else if (type == QLatin1String("error"))
            qCWarning(lcClient) << "server error:" << message->value(QStringLiteral("message")).toString();
    } else if (const std::optional<ConnectionsSnapshot> page = ConnectionsSnapshot::fromJson(*message)) {
        Q_EMIT snapshotReceived(page->records(), m_snapshotFirst, page->last);
        m_snapshotFirst = page->last;
    } else if (const std::optional<ConnectionsBatch> batch = ConnectionsBatch::fromJson(*message)) {
        QStringList closed;
        for (const ConnectionsBatch::Closed &entry : batch->closed)
            closed.append(entry.id);
        Q_EMIT connectionsChanged(batch->opened, closed, batch->updated);
    } else if (const std::optional<EventsBatch> events = EventsBatch::fromJson(*message)) {
        Q_EMIT eventsReceived(events->events, events->dropped);
    } else if (const std::optional<StatsTick> tick = StatsTick::fromJson(*message)) {
        Q_EMIT statsReceived(*tick);
    }
}

void ControlClient::request(const QString &type, QJsonObject fields, Callback callback)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        if (callback)
            callback({}, QStringLiteral("not connected"));
        return;
    }
    const qint64 id = ++m_nextId;
    fields.insert(QStringLiteral("type"), type);
    fields.insert(QStringLiteral("id"), id);
    if (callback)
        m_pending.insert(id, std::move(callback));
    m_socket->sendTextMessage(QString::fromUtf8(ControlProtocol::encode(fields)));
}

void ControlClient::failPending(const QString &error)
{
    const QHash<qint64, Callback> pending = std::exchange(m_pending, {});
    for (const Callback &callback : pending)
        callback({}, error);
}

void ControlClient::setState(State state, const QString &detail)
{
    if (m_state == state && detail.isEmpty())
        return;
    m_state = state;
    Q_EMIT stateChanged(state, detail);
}
