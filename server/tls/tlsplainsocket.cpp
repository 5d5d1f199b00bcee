#include "tlsplainsocket.h"

#include "socketendpoint.h"
#include "tlsconnection.h"

TlsPlainSocket::TlsPlainSocket(TlsConnection *connection, int pairEnd, int client, QObject *parent)
    : QTcpSocket(parent)
    , m_connection(connection)
{
    setSocketDescriptor(pairEnd);
    const SocketEndpoint peer = SocketEndpoint::peer(client);
    const SocketEndpoint local = SocketEndpoint::local(client);
    setPeerAddress(peer.address);
    setPeerPort(peer.port);
    setLocalAddress(local.address);
    setLocalPort(local.port);
}

TlsConnection *TlsPlainSocket::connection() const
{
    return m_connection;
}
