#include "tcplistener.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

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

void TcpListener::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    new SocketGuard(socket, m_limits, m_stats, m_sweep);
    refreshSenderHint();
    addPendingConnection(socket);
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
