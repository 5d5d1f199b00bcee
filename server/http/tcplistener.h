#pragma once

#include "deadlinesweep.h"
#include "httplimitstats.h"
#include "socketguard.h"

#include <QHostAddress>
#include <QTcpServer>

// A QTcpServer of our own (QtHttpServer's listen() uses a backlog of 50 and never resumes
// after EMFILE): large backlog, accept errors recovered, and a SocketGuard on every socket
// before the HTTP server sees it. The guards' request timeouts share one DeadlineSweep.
class TcpListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpListener)

public:
    // parent: the HTTP server this listener is bound to.
    TcpListener(SocketGuard::Limits limits, HttpLimitStats *stats, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void handleAcceptError(QAbstractSocket::SocketError error);
    void refreshSenderHint();

    SocketGuard::Limits m_limits;
    HttpLimitStats *m_stats;
    DeadlineSweep *m_sweep; // a child, like the sockets
    QMetaObject::Connection m_senderHint;
};
