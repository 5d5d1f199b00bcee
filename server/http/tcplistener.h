#pragma once

#include "deadlinesweep.h"
#include "httplimitstats.h"
#include "socketguard.h"

#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>
#include <optional>

class QAbstractHttpServer;

// A QTcpServer of our own (QtHttpServer's listen() uses a backlog of 50 and never resumes
// after EMFILE): large backlog, accept errors recovered, and a SocketGuard on every socket
// before the HTTP server sees it. The guards' request timeouts share one DeadlineSweep; a TLS
// handshake must end within the same time. With a TLS configuration every socket is a
// QSslSocket (the HTTP server reads what it decrypts); plain bytes on it end the handshake.
class TcpListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpListener)

public:
    // parent: the HTTP server this listener is bound to.
    TcpListener(SocketGuard::Limits limits, HttpLimitStats *stats, QObject *parent = nullptr);
    // Connections accepted from now on speak TLS with this configuration (a reload keeps
    // the connections already open on the old one).
    void setTls(const QSslConfiguration &configuration) { m_tls = configuration; }
    bool isTls() const { return m_tls.has_value(); }
    // Hands the connections to the HTTP server (and parents this listener to it).
    void bindTo(QAbstractHttpServer *server);
    // Connections that negotiate HTTP/2 (ALPN h2 under TLS, the h2c preface in clear) go to
    // `serve` instead, before the HTTP server reads any of their bytes.
    void setHttp2(std::function<void(QTcpSocket *)> serve);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void handleAcceptError(QAbstractSocket::SocketError error);
    void refreshSenderHint();
    void watchHandshake(class QSslSocket *socket);
    void guardsFollowServer();
    void handToHttp2(QTcpSocket *socket);

    SocketGuard::Limits m_limits;
    HttpLimitStats *m_stats;
    DeadlineSweep *m_sweep; // a child, like the sockets
    QMetaObject::Connection m_senderHint;
    std::optional<QSslConfiguration> m_tls;
    std::function<void(QTcpSocket *)> m_http2;
    QList<QPointer<SocketGuard>> m_unfollowed; // accepted, the HTTP server not yet reading
};
