#include "controlsession.h"

#include "controlprotocol.h"

#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcControl, "eventsource.server.control")

namespace {
constexpr int authTimeoutMs = 10000;
}

ControlSession::ControlSession(std::unique_ptr<QWebSocket> socket, bool authenticated,
                               qint64 maxBufferBytes, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_authenticated(authenticated)
    , m_maxBufferBytes(maxBufferBytes)
{
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { Q_EMIT messageReceived(this, text); });
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this,
            [this] { send(ControlProtocol::error(QJsonValue(), QStringLiteral("binary messages are not understood"))); });
    connect(m_socket.get(), &QWebSocket::bytesWritten, this, &ControlSession::pump);
    connect(m_socket.get(), &QWebSocket::disconnected, this, &ControlSession::handleDisconnected);
    m_authTimer.setSingleShot(true);
    connect(&m_authTimer, &QTimer::timeout, this, [this] { refuse(QStringLiteral("authentication timed out")); });
    if (!m_authenticated)
        m_authTimer.start(authTimeoutMs);
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        QTimer::singleShot(0, this, &ControlSession::handleDisconnected);
}

ControlSession::~ControlSession() = default;

void ControlSession::setAuthenticated(qint64 maxMessageBytes)
{
    m_authenticated = true;
    m_authTimer.stop();
    m_socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
    m_socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));
}

QHostAddress ControlSession::peerAddress() const
{
    return m_socket->peerAddress();
}

void ControlSession::send(const QJsonObject &message)
{
    if (m_closing)
        return;
    const QByteArray encoded = ControlProtocol::encode(message);
    m_queuedLiveBytes += encoded.size();
    m_queue.append(encoded);
    pump();
    // pump() hands the socket what it can take; what backs up here is what the console did
    // not read. One large message to a reading console goes straight through.
    if (m_queuedLiveBytes > m_maxBufferBytes) {
        qCInfo(lcControl).nospace() << "slow console cut off queued=" << m_queuedLiveBytes;
        Q_EMIT cutOff(this);
        m_queue.clear();
        m_closing = true;
        m_socket->abort();
    }
}

void ControlSession::sendBulk(const QByteArrayList &encodedMessages)
{
    if (m_closing)
        return;
    // Behind what is already queued but ahead of anything live that follows: insert after
    // earlier bulk pages, before queued live messages.
    const qsizetype at = m_bulkLeft;
    for (qsizetype i = 0; i < encodedMessages.size(); ++i)
        m_queue.insert(at + i, encodedMessages[i]);
    m_bulkLeft += encodedMessages.size();
    pump();
}

void ControlSession::pump()
{
    // Hand the socket a little at a time so a large snapshot never sits in its buffer whole.
    const qint64 highWater = qMax<qint64>(64 * 1024, m_maxBufferBytes / 2);
    while (!m_queue.isEmpty() && m_socket->bytesToWrite() < highWater) {
        const QByteArray next = m_queue.takeFirst();
        if (m_bulkLeft > 0)
            --m_bulkLeft;
        else
            m_queuedLiveBytes -= next.size();
        m_socket->sendTextMessage(QString::fromUtf8(next));
        // To the kernel now, as SSE streams do: Qt's buffer then holds only what the
        // console has not taken.
        m_socket->flush();
    }
}

void ControlSession::refuse(const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_socket->sendTextMessage(QString::fromUtf8(ControlProtocol::encode(ControlProtocol::error(QJsonValue(), reason))));
    m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void ControlSession::handleDisconnected()
{
    if (m_gone)
        return;
    m_gone = true;
    m_authTimer.stop();
    Q_EMIT closed(this);
    deleteLater();
}
