#include "sseconnection.h"

#include "sseencoder.h"

#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcStream, "eventsource.server.stream")

namespace {
// How long a closing stream may take to hand its last bytes to the kernel.
constexpr int closeGraceMs = 2000;
}

SseConnection::SseConnection(Info info, QHttpServerResponder &&responder, qint64 maxBufferBytes,
                             QObject *parent)
    : QObject(parent)
    , m_info(std::move(info))
    , m_responder(std::move(responder))
    , m_socket(m_responder.socket())
    , m_maxBufferBytes(maxBufferBytes)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        // Gone before the stream began: close at once, after the hub has registered us.
        QTimer::singleShot(0, this, &SseConnection::handleSocketGone);
        return;
    }
    connect(m_socket, &QAbstractSocket::disconnected, this, &SseConnection::handleSocketGone);
    connect(m_socket, &QObject::destroyed, this, &SseConnection::handleSocketGone);
    // The client may not send anything more: read and drop it, so a pipelined request can
    // never be answered into the event stream.
    connect(m_socket, &QIODevice::readyRead, this, [this] {
        if (m_socket)
            m_socket->skip(m_socket->bytesAvailable());
    });
}

bool SseConnection::acceptsName(QByteArrayView name) const
{
    if (m_info.filter.isEmpty())
        return true;
    return !name.isEmpty() && m_info.filter.contains(name);
}

bool SseConnection::accepts(const Event &event) const
{
    return acceptsName(event.name) && m_info.principal.isAddressedBy(event.target);
}

void SseConnection::start(const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    for (const auto &[name, value] : headers)
        m_responder.writeHeader(name, value);
}

void SseConnection::enqueue(const QByteArray &frame)
{
    if (m_finished)
        return;
    // The first frame is shared, not copied: a broadcast to N streams keeps one buffer.
    if (m_pending.isEmpty())
        m_pending = frame;
    else
        m_pending.append(frame);
    m_active = true;
}

void SseConnection::enqueueEvent(const Event &event)
{
    enqueue(event.frame);
    m_lastEventId = event.id;
    ++m_pendingEvents;
}

void SseConnection::enqueueIdUpdate(const QByteArray &id)
{
    enqueue(SseEncoder::idOnly(id));
    m_lastEventId = id;
}

qint64 SseConnection::flush()
{
    if (m_pending.isEmpty() || m_finished)
        return 0;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        m_pending.clear();
        return 0;
    }
    const qint64 size = m_pending.size();
    m_responder.writeBody(m_pending);
    m_pending.clear();
    m_bytesSent += size;
    m_eventsSent += m_pendingEvents;
    m_pendingEvents = 0;
    // Hand the bytes to the kernel now (one write syscall), so that what stays in Qt's
    // buffer is only what the client has not taken: that is what the cap bounds.
    if (m_socket)
        m_socket->flush();
    if (m_socket && m_socket->bytesToWrite() > m_maxBufferBytes) {
        qCInfo(lcStream).nospace() << "slow consumer dropped id=" << m_info.id
                                   << " unsent=" << m_socket->bytesToWrite();
        m_closeReason = CloseReason::SlowConsumer;
        m_socket->abort();
    }
    return size;
}

void SseConnection::close(CloseReason reason)
{
    if (m_finished)
        return;
    m_closeReason = reason;
    flush();
    if (!m_socket || m_socket->state() == QAbstractSocket::UnconnectedState) {
        handleSocketGone();
        return;
    }
    m_socket->disconnectFromHost();
    QTimer::singleShot(closeGraceMs, this, [this] {
        if (m_socket)
            m_socket->abort();
        handleSocketGone();
    });
}

bool SseConnection::takeActivity()
{
    const bool active = m_active;
    m_active = false;
    return active;
}

void SseConnection::handleSocketGone()
{
    if (m_finished)
        return;
    m_finished = true;
    m_pending.clear();
    Q_EMIT closed(this, m_closeReason);
    deleteLater();
}
