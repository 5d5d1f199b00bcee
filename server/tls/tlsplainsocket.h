#pragma once

#include <QPointer>
#include <QTcpSocket>

class TlsConnection;

// What the HTTP server, the control channel and HTTP/2 read and write for a TLS client once
// its handshake is done: a QTcpSocket on one end of a local socket pair, in clear, whose other
// end its TlsConnection relays through TLS. It carries the client's own addresses, so limits, logs and identity
// see the client and not the pair.
class TlsPlainSocket final : public QTcpSocket
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsPlainSocket)

public:
    // pairEnd: this socket's end of the pair; client: the TCP descriptor it stands for.
    TlsPlainSocket(TlsConnection *connection, int pairEnd, int client, QObject *parent = nullptr);

    // Null once the connection ended or was taken over by a stream.
    TlsConnection *connection() const;

private:
    QPointer<TlsConnection> m_connection;
};
