#include "tlsconnection.h"

#include "socketendpoint.h"
#include "tlsplainsocket.h"
#include "tlssession.h"

#include <QLoggingCategory>
#include <QTimer>

#include <cerrno>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTls, "eventsource.server.tls")

namespace {
constexpr size_t readChunk = 16 * 1024;
// Reads per notification, so that one fast client cannot hold the event loop.
constexpr int maxReadsPerNotification = 4;
// Encrypted bytes waiting for the client before the relay stops reading the server side.
constexpr qsizetype maxPendingToClient = 64 * 1024;
// The pair's kernel buffers: what the server side may have in flight beyond that.
constexpr int pairBufferBytes = 64 * 1024;
// A close_notify (and the last answer before it) gets this long to reach the client.
constexpr int closeGraceMs = 2000;

enum class Io { Done, Again, Closed };

Io classify(ssize_t result)
{
    if (result > 0)
        return Io::Done;
    if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return Io::Again;
    return Io::Closed;
}

} // namespace

TlsConnection *TlsConnection::accept(int descriptor, std::shared_ptr<const TlsContext> context, HttpLimitStats *stats,
                                     DeadlineSweep *handshakeDeadline, QObject *parent)
{
    auto session = std::make_unique<TlsSession>(std::move(context));
    if (!session->isValid()) {
        qCWarning(lcTls) << "cannot accept a TLS connection: out of memory";
        ::close(descriptor);
        return nullptr;
    }
    ::fcntl(descriptor, F_SETFL, ::fcntl(descriptor, F_GETFL) | O_NONBLOCK);
    const int on = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    auto *connection = new TlsConnection(descriptor, std::move(session), stats);
    connection->setParent(parent);
    connection->m_sweep = handshakeDeadline;
    connection->m_handshakeDeadline = handshakeDeadline->arm([connection] { connection->handshakeTimedOut(); });
    return connection;
}

TlsConnection::TlsConnection(int client, std::unique_ptr<TlsSession> session, HttpLimitStats *stats)
    : m_client(client)
    , m_session(std::move(session))
    , m_stats(stats)
    , m_clientRead(client, QSocketNotifier::Read)
    , m_clientWrite(client, QSocketNotifier::Write)
{
    m_clientWrite.setEnabled(false);
    connect(&m_clientRead, &QSocketNotifier::activated, this, &TlsConnection::clientReadable);
    connect(&m_clientWrite, &QSocketNotifier::activated, this, &TlsConnection::clientWritable);
}

TlsConnection::~TlsConnection()
{
    release();
}

TlsPlainSocket *TlsConnection::openPlainSocket()
{
    // Made only now: a connection in its handshake holds one descriptor, like a plain one.
    int pair[2];
    if (m_finished || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        qCWarning(lcTls) << "cannot relay a TLS connection: out of descriptors";
        finish();
        return nullptr;
    }
    for (const int end : pair)
        ::setsockopt(end, SOL_SOCKET, SO_SNDBUF, &pairBufferBytes, sizeof pairBufferBytes);
    m_mode = Mode::Relayed;
    m_server = pair[0];
    m_serverRead = std::make_unique<QSocketNotifier>(m_server, QSocketNotifier::Read);
    m_serverWrite = std::make_unique<QSocketNotifier>(m_server, QSocketNotifier::Write);
    m_serverWrite->setEnabled(false);
    connect(m_serverRead.get(), &QSocketNotifier::activated, this, &TlsConnection::serverReadable);
    connect(m_serverWrite.get(), &QSocketNotifier::activated, this, &TlsConnection::passToServer);
    m_socket = new TlsPlainSocket(this, pair[1], m_client, parent());
    return m_socket;
}

void TlsConnection::readDirectly()
{
    m_mode = Mode::Direct;
}

void TlsConnection::handshakeTimedOut()
{
    m_handshakeDeadline = 0;
    // Never finished its handshake: a slowloris of the handshake.
    ++m_stats->tlsHandshakeTimeouts;
    finish();
}

std::optional<TlsConnection::Stream> TlsConnection::takeStream()
{
    if (m_finished || m_mode != Mode::Relayed || !m_socket)
        return std::nullopt;
    m_socket->flush();
    if (m_socket->bytesToWrite() > 0)
        return std::nullopt;
    // What Qt wrote is all in the pair now.
    char chunk[readChunk];
    for (;;) {
        const ssize_t got = ::recv(m_server, chunk, sizeof chunk, MSG_DONTWAIT);
        if (classify(got) != Io::Done || !m_session->encrypt(QByteArrayView(chunk, got), m_toClient.tail()))
            break;
    }
    Stream stream;
    stream.descriptor = std::exchange(m_client, -1);
    stream.session = std::move(m_session);
    stream.cipher = m_toClient.take();
    // Nobody parses what follows the stream's request (the pipelining hazard).
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    m_socket->abort();
    finish();
    return stream;
}

QHostAddress TlsConnection::peerAddress() const
{
    return m_client >= 0 ? SocketEndpoint::peer(m_client).address : QHostAddress();
}

QByteArray TlsConnection::readAll()
{
    if (m_mode != Mode::Direct)
        return {};
    QByteArray plain = m_toServer.take();
    if (!m_finished)
        m_clientRead.setEnabled(true);
    return plain;
}

void TlsConnection::write(const QByteArray &bytes)
{
    if (m_finished || m_closing || m_mode != Mode::Direct || bytes.isEmpty())
        return;
    if (encryptToClient(bytes))
        sendToClient();
}

bool TlsConnection::encryptToClient(QByteArrayView plain)
{
    if (m_session->encrypt(plain, m_toClient.tail()))
        return true;
    qCDebug(lcTls) << "cannot encrypt:" << m_session->error();
    finish();
    return false;
}

void TlsConnection::close()
{
    if (m_finished || m_closing)
        return;
    m_closing = true;
    m_session->close(m_toClient.tail());
    QTimer::singleShot(closeGraceMs, this, &TlsConnection::finish);
    sendToClient();
}

void TlsConnection::clientReadable()
{
    if (m_finished)
        return;
    char chunk[readChunk];
    for (int i = 0; i < maxReadsPerNotification && m_toServer.isEmpty(); ++i) {
        const ssize_t got = ::recv(m_client, chunk, sizeof chunk, MSG_DONTWAIT);
        const Io io = classify(got);
        if (io == Io::Again)
            break;
        if (io == Io::Closed || !receiveFromClient(QByteArrayView(chunk, got))) {
            finish();
            return;
        }
        passToServer();
        if (m_finished)
            return;
    }
    sendToClient();
}

bool TlsConnection::receiveFromClient(QByteArrayView bytes)
{
    const bool wasEstablished = m_session->isEstablished();
    if (!m_session->receive(bytes, m_toServer.tail(), m_toClient.tail())) {
        if (!wasEstablished)
            ++m_stats->tlsHandshakeFailures;
        qCDebug(lcTls) << "TLS connection refused:" << m_session->error();
        sendAlert();
        return false;
    }
    if (!wasEstablished && m_session->isEstablished()) {
        ++m_stats->tlsHandshakes;
        if (m_sweep)
            m_sweep->cancel(std::exchange(m_handshakeDeadline, 0));
        Q_EMIT established(m_session->protocol());
        if (m_mode == Mode::Handshake)
            return false; // nobody took it
    }
    return !m_finished && !m_session->peerClosed();
}

void TlsConnection::sendAlert()
{
    // Best effort, once: the alert, if the kernel takes it now. Plain HTTP on this port gets
    // no HTTP answer at all (the fixed interface: it is never served).
    m_toClient.sendTo(m_client);
}

void TlsConnection::passToServer()
{
    if (m_finished || m_toServer.isEmpty())
        return;
    if (m_mode == Mode::Direct) {
        Q_EMIT readyRead();
        // Read again once the reader has taken this (readAll()).
        if (!m_finished && !m_toServer.isEmpty())
            m_clientRead.setEnabled(false);
        return;
    }
    // Failed: Qt closed its end, and what the client sends now has no reader.
    if (m_toServer.sendTo(m_server) == SendBuffer::Result::Failed)
        m_toServer.clear();
    const bool waiting = !m_toServer.isEmpty();
    m_serverWrite->setEnabled(waiting);
    m_clientRead.setEnabled(!waiting);
}

void TlsConnection::serverReadable()
{
    if (m_finished)
        return;
    char chunk[readChunk];
    for (int i = 0; i < maxReadsPerNotification && !m_closing && m_toClient.size() < maxPendingToClient; ++i) {
        const ssize_t got = ::recv(m_server, chunk, sizeof chunk, MSG_DONTWAIT);
        const Io io = classify(got);
        if (io == Io::Again)
            break;
        if (io == Io::Closed) {
            // Qt closed the connection: a close_notify after its last answer, then the FIN.
            close();
            return;
        }
        if (!encryptToClient(QByteArrayView(chunk, got)))
            return;
    }
    sendToClient();
}

void TlsConnection::clientWritable()
{
    const qsizetype before = m_toClient.size();
    sendToClient();
    if (!m_finished && m_mode == Mode::Direct && m_toClient.size() < before)
        Q_EMIT bytesWritten();
}

void TlsConnection::sendToClient()
{
    if (m_finished)
        return;
    const SendBuffer::Result sent = m_toClient.sendTo(m_client);
    if (sent == SendBuffer::Result::Failed || (sent == SendBuffer::Result::Sent && m_closing)) {
        finish();
        return;
    }
    m_clientWrite.setEnabled(!m_toClient.isEmpty());
    if (m_serverRead)
        m_serverRead->setEnabled(!m_closing && m_toClient.size() < maxPendingToClient);
}

void TlsConnection::finish()
{
    if (m_finished)
        return;
    release();
    Q_EMIT disconnected();
    deleteLater();
}

void TlsConnection::release()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_sweep)
        m_sweep->cancel(std::exchange(m_handshakeDeadline, 0));
    // Notifiers leave the event dispatcher before their descriptors close.
    m_clientRead.setEnabled(false);
    m_clientWrite.setEnabled(false);
    m_serverRead.reset();
    m_serverWrite.reset();
    if (m_client >= 0)
        ::close(m_client);
    // The plain socket reads the end of its connection and its reader frees it.
    if (m_server >= 0)
        ::close(m_server);
    m_client = -1;
    m_server = -1;
    m_toClient.clear();
    m_toServer.clear();
}
