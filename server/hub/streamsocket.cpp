#include "streamsocket.h"

#include "tlssession.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcStreamSocket, "eventsource.server.stream.socket")

namespace {
// Input on a stream is dropped; reads per notification are capped so a flooding client
// cannot hold the event loop.
constexpr int maxReadsPerNotification = 16;
constexpr size_t readChunk = 4096;
}

int StreamSocket::takeOver(QTcpSocket *socket)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return -1;
    // Whatever Qt still buffers for this socket (a "100 Continue") goes first.
    socket->flush();
    const int descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    if (descriptor < 0) {
        qCWarning(lcStreamSocket) << "cannot take over a stream:" << std::strerror(errno);
        return -1;
    }
    // Qt closes its own descriptor; the connection lives on in ours. QtHttpServer deletes
    // the socket and its request once the handler that called us has returned.
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    socket->abort();
    return descriptor;
}

StreamSocket::StreamSocket(int descriptor, QObject *parent)
    : StreamSink(parent)
    , m_descriptor(descriptor)
    , m_readNotifier(descriptor, QSocketNotifier::Read)
{
    ::fcntl(m_descriptor, F_SETFL, ::fcntl(m_descriptor, F_GETFL) | O_NONBLOCK);
    connect(&m_readNotifier, &QSocketNotifier::activated, this, &StreamSocket::readable);
}

StreamSocket::StreamSocket(int descriptor, std::unique_ptr<TlsSession> session, const QByteArray &cipher,
                           QObject *parent)
    : StreamSocket(descriptor, parent)
{
    m_tls = std::move(session);
    m_out.append(cipher);
}

StreamSocket::~StreamSocket()
{
    if (m_descriptor < 0)
        return;
    // Notifiers leave the event dispatcher before the descriptor is closed.
    m_readNotifier.setEnabled(false);
    m_writeNotifier.reset();
    ::close(m_descriptor);
}

void StreamSocket::queue(const QByteArray &bytes)
{
    if (m_descriptor < 0 || bytes.isEmpty())
        return;
    if (m_tls) {
        // Shared while alone, like the plain case: encrypt() reads it once.
        if (m_plain.isEmpty())
            m_plain = bytes;
        else
            m_plain.append(bytes);
        return;
    }
    m_out.append(bytes);
}

void StreamSocket::send()
{
    if (m_tls && !m_plain.isEmpty())
        encrypt();
    if (m_descriptor >= 0 && m_sendError == 0)
        m_out.sendTo(m_descriptor, &m_sendError);
}

void StreamSocket::encrypt()
{
    if (!m_tls->encrypt(m_plain, m_out.tail()) && m_sendError == 0)
        m_sendError = EPROTO;
    m_plain.clear();
}

void StreamSocket::settle()
{
    if (m_descriptor < 0)
        return;
    if (m_sendError != 0) {
        qCDebug(lcStreamSocket) << "send failed:" << std::strerror(m_sendError);
        abort();
        return;
    }
    if (unsent() > 0) {
        if (!m_writeNotifier) {
            m_writeNotifier = std::make_unique<QSocketNotifier>(m_descriptor, QSocketNotifier::Write);
            connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &StreamSocket::writable);
        }
        m_writeNotifier->setEnabled(true);
        return;
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
    if (m_closing) {
        // Unread input would turn the close into a reset, which can destroy what the
        // client has not read yet.
        drainInput();
        abort();
    }
}

void StreamSocket::closeWhenSent(int graceMs)
{
    if (m_descriptor < 0 || m_closing)
        return;
    m_closing = true;
    if (m_tls) {
        encrypt();
        m_tls->close(m_out.tail());
    }
    send();
    settle();
    if (m_descriptor >= 0)
        QTimer::singleShot(graceMs, this, &StreamSocket::abort);
}

void StreamSocket::abort()
{
    if (m_descriptor < 0)
        return;
    m_readNotifier.setEnabled(false);
    m_writeNotifier.reset();
    ::close(m_descriptor);
    m_descriptor = -1;
    m_plain.clear();
    m_out.clear();
    Q_EMIT closed();
}

void StreamSocket::readable()
{
    drainInput();
    if (m_peerClosed)
        abort();
}

void StreamSocket::writable()
{
    send();
    settle();
    if (m_descriptor >= 0)
        Q_EMIT drained();
}

void StreamSocket::drainInput()
{
    char buffer[readChunk];
    for (int i = 0; i < maxReadsPerNotification && m_descriptor >= 0; ++i) {
        const ssize_t got = ::recv(m_descriptor, buffer, sizeof buffer, MSG_DONTWAIT);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            m_peerClosed = true;
        return;
    }
}
