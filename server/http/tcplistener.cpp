#include "tcplistener.h"

#include "socketbytestream.h"
#include "tlsconnection.h"
#include "tlsplainsocket.h"

#include <QLoggingCategory>
#include <QAbstractHttpServer>
#include <QTcpSocket>
#include <QTimer>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcListener, "eventsource.server.http.listener")

namespace {
constexpr int backlog = 4096;
constexpr int acceptRetryMs = 250;
}

TcpListener::TcpListener(SocketGuard::Limits limits, HttpLimitStats *stats, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
    , m_stats(stats)
    , m_sweep(new DeadlineSweep(limits.requestTimeoutMs, this))
{
    setListenBacklogSize(backlog);
    connect(this, &QTcpServer::acceptError, this, &TcpListener::handleAcceptError);
}

void TcpListener::bindTo(QAbstractHttpServer *server)
{
    server->bind(this);
    // Connected after the HTTP server's own slot: it runs once the server read the socket.
    connect(this, &QTcpServer::newConnection, this, &TcpListener::guardsFollowServer);
}

void TcpListener::setHttp2(std::function<void(ByteStream *)> serve)
{
    m_http2 = std::move(serve);
    m_limits.detectHttp2 = bool(m_http2);
}

void TcpListener::incomingConnection(qintptr descriptor)
{
    if (m_tls) {
        if (auto *tls = TlsConnection::accept(int(descriptor), m_tls, m_stats, m_sweep, this)) {
            connect(tls, &TlsConnection::established, this,
                    [this, tls](const QByteArray &protocol) { serveTls(tls, protocol); });
        }
        return;
    }
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        return;
    }
    // Answers and streams go out as written (TLS connections set it too). Without it, an
    // answer's body written after its head waited for the client's delayed ACK: 40 ms per
    // keep-alive request once the body passed a few KiB (a batch publish's answer).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    serve(socket);
}

void TcpListener::serve(QTcpSocket *socket)
{
    auto *guard = new SocketGuard(socket, m_limits, m_stats, m_sweep);
    m_unfollowed.append(guard);
    if (m_http2)
        connect(guard, &SocketGuard::http2Preface, this, [this, socket] { handToHttp2(socket); });
    refreshSenderHint();
    addPendingConnection(socket);
}

void TcpListener::serveTls(TlsConnection *connection, const QByteArray &protocol)
{
    if (m_http2 && protocol == "h2") {
        // HTTP/2 reads the connection itself, with no plain socket in between.
        connection->readDirectly();
        m_http2(connection);
        return;
    }
    if (TlsPlainSocket *socket = connection->openPlainSocket()) {
        serve(socket);
        // QTcpServer announces connections as it accepts them; this one comes later.
        Q_EMIT newConnection();
    }
}

void TcpListener::guardsFollowServer()
{
    for (const QPointer<SocketGuard> &guard : std::exchange(m_unfollowed, {})) {
        if (guard)
            guard->followServerReads();
    }
}

void TcpListener::handToHttp2(QTcpSocket *socket)
{
    // QtHttpServer reads the socket in a slot whose context is the server, this listener's
    // parent: without it, nobody parses these bytes as HTTP/1.1. Its other slots (delete
    // the socket once disconnected) stay.
    if (parent())
        QObject::disconnect(socket, &QIODevice::readyRead, parent(), nullptr);
    m_http2(new SocketByteStream(socket));
}

void TcpListener::refreshSenderHint()
{
    // QtHttpServer 6.4 calls sender() on every accepted connection. sender() walks the HTTP
    // server's list of incoming connections (one per socket it reads, newest first) until
    // it meets one from this listener: thousands of sockets connecting at once made that
    // quadratic (30% of the server's time while 10,000 streams connected). A connection of
    // ours made just now sits at the head of that list, so the walk ends at once.
    if (!parent())
        return;
    disconnect(m_senderHint);
    m_senderHint = connect(this, &QTcpServer::acceptError, parent(), [] {});
}

void TcpListener::handleAcceptError(QAbstractSocket::SocketError error)
{
    // Out of descriptors (EMFILE) pauses accepting for good unless we resume it.
    ++m_stats->acceptErrors;
    qCWarning(lcListener).nospace() << "accept failed error=" << error << " error_text=" << errorString();
    pauseAccepting();
    QTimer::singleShot(acceptRetryMs, this, &QTcpServer::resumeAccepting);
}
