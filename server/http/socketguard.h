#pragma once

#include "deadlinesweep.h"
#include "httplimitstats.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;

// Watches one accepted socket before QtHttpServer reads it (its readyRead slot is connected
// first, so it runs first): QtHttpServer 6.4 has no timeouts and no size limits. A request
// whose head passes the header budget gets 431, a body over the body budget 413, a request
// not complete within the timeout 408; an idle keep-alive socket is closed after the same
// time (the listener's DeadlineSweep, whose timeout is requestTimeoutMs, keeps the time). It
// also answers "Expect: 100-continue", which Qt ignores.
class SocketGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketGuard)

public:
    struct Limits
    {
        qint64 maxHeaderBytes = 16 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
        int requestTimeoutMs = 10000;
    };

    SocketGuard(QTcpSocket *socket, Limits limits, HttpLimitStats *stats, DeadlineSweep *sweep);
    ~SocketGuard() override;

    static SocketGuard *of(QTcpSocket *socket);
    // A whole request was read and handed to a handler: budgets start over.
    void requestCompleted();
    // The socket now carries an event stream: no more requests, no timeout.
    void streamStarted();

private:
    void handleReadyRead();
    void handleTimeout();
    void restartDeadline();
    void stopDeadline();
    void refuse(int status, const QByteArray &reason, const QByteArray &message);

    QTcpSocket *m_socket;
    Limits m_limits;
    HttpLimitStats *m_stats;
    QPointer<DeadlineSweep> m_sweep; // a sibling of the socket, which may be destroyed first
    DeadlineSweep::Ticket m_deadline = 0;
    QByteArray m_head;      // the request head so far, until its blank line
    qint64 m_bodyBytes = 0;
    bool m_inHead = true;
    bool m_requestStarted = false;
    bool m_done = false;
};
