#include "tlsconnection.h"

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

TlsPlainSocket *TlsConnection::accept(int descriptor, std::shared_ptr<const TlsContext> context, HttpLimitStats *stats,
                                      QObject *socketParent)
{
    auto session = std::make_unique<TlsSession>(std::move(context));
    int pair[2];
    if (!session->isValid() || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
        qCWarning(lcTls) << "cannot accept a TLS connection: out of memory or descriptors";
        ::close(descriptor);
        return nullptr;
    }
    for (const int end : pair)
        ::setsockopt(end, SOL_SOCKET, SO_SNDBUF, &pairBufferBytes, sizeof pairBufferBytes);
    ::fcntl(descriptor, F_SETFL, ::fcntl(descriptor, F_GETFL) | O_NONBLOCK);
    const int on = 1;
    ::setsockopt(descriptor, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    auto *connection = new TlsConnection(descriptor, pair[0], std::move(session), stats);
    auto *socket = new TlsPlainSocket(connection, pair[1], descriptor, socketParent);
    connection->m_socket = socket;
    // Both go with the listener; until then each ends the other's life when it ends.
    connection->setParent(socketParent);
    return socket;
}

TlsConnection::TlsConnection(int client, int server, std::unique_ptr<TlsSession> session, HttpLimitStats *stats)
    : m_client(client)
    , m_server(server)
    , m_session(std::move(session))
    , m_stats(stats)
    , m_clientRead(client, QSocketNotifier::Read)
    , m_clientWrite(client, QSocketNotifier::Write)
    , m_serverRead(server, QSocketNotifier::Read)
    , m_serverWrite(server, QSocketNotifier::Write)
{
    m_clientWrite.setEnabled(false);
    m_serverWrite.setEnabled(false);
    connect(&m_clientRead, &QSocketNotifier::activated, this, &TlsConnection::clientReadable);
    connect(&m_clientWrite, &QSocketNotifier::activated, this, &TlsConnection::sendToClient);
    connect(&m_serverRead, &QSocketNotifier::activated, this, &TlsConnection::serverReadable);
    connect(&m_serverWrite, &QSocketNotifier::activated, this, &TlsConnection::passToServer);
}

TlsConnection::~TlsConnection()
{
    release();
}

std::optional<TlsConnection::Stream> TlsConnection::takeStream()
{
    if (m_finished || !m_socket || !m_session->isEstablished())
        return std::nullopt;
    m_socket->flush();
    if (m_socket->bytesToWrite() > 0)
        return std::nullopt;
    // What Qt wrote is all in the pair now.
    char chunk[readChunk];
    for (;;) {
        const ssize_t got = ::recv(m_server, chunk, sizeof chunk, MSG_DONTWAIT);
        if (classify(got) != Io::Done || !m_session->encrypt(QByteArrayView(chunk, got), &m_toClient))
            break;
    }
    Stream stream;
    stream.descriptor = std::exchange(m_client, -1);
    stream.session = std::move(m_session);
    stream.cipher = m_toClient.mid(m_toClientSent);
    // Nobody parses what follows the stream's request (the pipelining hazard).
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    m_socket->abort();
    finish();
    return stream;
}

void TlsConnection::clientReadable()
{
    if (m_finished)
        return;
    char chunk[readChunk];
    for (int i = 0; i < maxReadsPerNotification && m_toServerSent == m_toServer.size(); ++i) {
        const ssize_t got = ::recv(m_client, chunk, sizeof chunk, MSG_DONTWAIT);
        const Io io = classify(got);
        if (io == Io::Again)
            break;
        if (io == Io::Closed || !receiveFromClient(QByteArrayView(chunk, got))) {
            finish();
            return;
        }
        passToServer();
    }
    sendToClient();
}

bool TlsConnection::receiveFromClient(QByteArrayView bytes)
{
    const bool wasEstablished = m_session->isEstablished();
    m_toClient.remove(0, std::exchange(m_toClientSent, 0));
    m_toServer.remove(0, std::exchange(m_toServerSent, 0));
    if (!m_session->receive(bytes, &m_toServer, &m_toClient)) {
        if (!wasEstablished)
            ++m_stats->tlsHandshakeFailures;
        qCDebug(lcTls) << "TLS connection refused:" << m_session->error();
        sendAlert();
        return false;
    }
    if (!wasEstablished && m_session->isEstablished()) {
        ++m_stats->tlsHandshakes;
        if (m_socket)
            m_socket->setEncrypted();
        Q_EMIT established(m_session->protocol());
    }
    return !m_session->peerClosed();
}

void TlsConnection::sendAlert()
{
    // Best effort, once: the alert, if the kernel takes it now. Plain HTTP on this port gets
    // no HTTP answer at all (the fixed interface: it is never served).
    if (pendingToClient() > 0)
        ::send(m_client, m_toClient.constData() + m_toClientSent, size_t(pendingToClient()), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void TlsConnection::passToServer()
{
    while (!m_finished && m_toServerSent < m_toServer.size()) {
        const ssize_t sent = ::send(m_server, m_toServer.constData() + m_toServerSent,
                                    size_t(m_toServer.size() - m_toServerSent), MSG_NOSIGNAL | MSG_DONTWAIT);
        const Io io = classify(sent);
        if (io == Io::Again)
            break;
        if (io == Io::Closed) {
            // Qt closed its end: what the client sends now has no reader.
            m_toServer.clear();
            m_toServerSent = 0;
            break;
        }
        m_toServerSent += sent;
    }
    if (m_finished)
        return;
    const bool waiting = m_toServerSent < m_toServer.size();
    if (!waiting) {
        m_toServer.clear();
        m_toServerSent = 0;
    }
    m_serverWrite.setEnabled(waiting);
    m_clientRead.setEnabled(!waiting);
}

void TlsConnection::serverReadable()
{
    if (m_finished)
        return;
    char chunk[readChunk];
    for (int i = 0; i < maxReadsPerNotification && !m_serverClosed && pendingToClient() < maxPendingToClient; ++i) {
        const ssize_t got = ::recv(m_server, chunk, sizeof chunk, MSG_DONTWAIT);
        const Io io = classify(got);
        if (io == Io::Again)
            break;
        m_toClient.remove(0, std::exchange(m_toClientSent, 0));
        if (io == Io::Closed) {
            // Qt closed the connection: a close_notify after its last answer, then the FIN.
            m_serverClosed = true;
            m_session->close(&m_toClient);
            QTimer::singleShot(closeGraceMs, this, &TlsConnection::finish);
            break;
        }
        if (!m_session->encrypt(QByteArrayView(chunk, got), &m_toClient)) {
            qCDebug(lcTls) << "cannot encrypt:" << m_session->error();
            finish();
            return;
        }
    }
    sendToClient();
}

void TlsConnection::sendToClient()
{
    while (!m_finished && pendingToClient() > 0) {
        const ssize_t sent = ::send(m_client, m_toClient.constData() + m_toClientSent, size_t(pendingToClient()),
                                    MSG_NOSIGNAL | MSG_DONTWAIT);
        const Io io = classify(sent);
        if (io == Io::Again)
            break;
        if (io == Io::Closed) {
            finish();
            return;
        }
        m_toClientSent += sent;
    }
    if (m_finished)
        return;
    if (pendingToClient() == 0) {
        m_toClient.clear();
        m_toClientSent = 0;
        if (m_serverClosed) {
            finish();
            return;
        }
    }
    m_clientWrite.setEnabled(pendingToClient() > 0);
    m_serverRead.setEnabled(!m_serverClosed && pendingToClient() < maxPendingToClient);
}

void TlsConnection::finish()
{
    if (m_finished)
        return;
    release();
    deleteLater();
}

void TlsConnection::release()
{
    if (m_finished)
        return;
    m_finished = true;
    // Notifiers leave the event dispatcher before their descriptors close.
    for (QSocketNotifier *notifier : {&m_clientRead, &m_clientWrite, &m_serverRead, &m_serverWrite})
        notifier->setEnabled(false);
    if (m_client >= 0)
        ::close(m_client);
    // The plain socket reads the end of its connection and QtHttpServer frees it.
    ::close(m_server);
    m_client = -1;
    m_toClient.clear();
    m_toServer.clear();
}
