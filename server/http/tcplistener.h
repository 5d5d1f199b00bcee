#pragma once

#include "deadlinesweep.h"
#include "httplimitstats.h"
#include "socketguard.h"

#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>

#include <functional>
#include <memory>

class QAbstractHttpServer;
class ByteStream;
class TlsConnection;
class TlsContext;

// A QTcpServer of our own (QtHttpServer's listen() uses a backlog of 50 and never resumes
// after EMFILE): large backlog, accept errors recovered, and a SocketGuard on every socket
// before the HTTP server sees it. The guards' request timeouts share one DeadlineSweep; a TLS
// handshake must end within the same time. With a TLS context every connection is a
// TlsConnection first, and the HTTP server gets its TlsPlainSocket once the handshake is done
// (plain bytes end the handshake).
class TcpListener final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TcpListener)

public:
    // parent: the HTTP server this listener is bound to.
    TcpListener(SocketGuard::Limits limits, HttpLimitStats *stats, QObject *parent = nullptr);
    // Connections accepted from now on speak TLS on this context (a reload keeps the
    // connections already open on the old one).
    void setTls(std::shared_ptr<const TlsContext> context) { m_tls = std::move(context); }
    bool isTls() const { return m_tls != nullptr; }
    // Hands the connections to the HTTP server (and parents this listener to it).
    void bindTo(QAbstractHttpServer *server);
    // Connections that negotiate HTTP/2 (ALPN h2 under TLS, the h2c preface in clear) go to
    // `serve` instead, before the HTTP server reads any of their bytes.
    void setHttp2(std::function<void(ByteStream *)> serve);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void serve(QTcpSocket *socket);
    void serveTls(TlsConnection *connection, const QByteArray &protocol);
    void handleAcceptError(QAbstractSocket::SocketError error);
    void refreshSenderHint();
    void guardsFollowServer();
    void handToHttp2(QTcpSocket *socket);

    SocketGuard::Limits m_limits;
    HttpLimitStats *m_stats;
    DeadlineSweep *m_sweep; // a child, like the sockets
    QMetaObject::Connection m_senderHint;
    std::shared_ptr<const TlsContext> m_tls;
    std::function<void(ByteStream *)> m_http2;
    QList<QPointer<SocketGuard>> m_unfollowed; // accepted, the HTTP server not yet reading
};
