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
    addPendingConnection(socket);
}

void TcpListener::handleAcceptError(QAbstractSocket::SocketError error)
{
    // Out of descriptors (EMFILE) pauses accepting for good unless we resume it.
    ++m_stats->acceptErrors;
    qCWarning(lcListener).nospace() << "accept failed error=" << error << " error_text=" << errorString();
    pauseAccepting();
    QTimer::singleShot(acceptRetryMs, this, &QTcpServer::resumeAccepting);
}
