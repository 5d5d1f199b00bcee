#include "tlsplainsocket.h"

#include "tlsconnection.h"

#include <QHostAddress>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace {

struct Endpoint
{
    QHostAddress address;
    quint16 port = 0;
};

Endpoint endpoint(int descriptor, int (*query)(int, sockaddr *, socklen_t *))
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (query(descriptor, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    Endpoint found;
    found.address = QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
    if (storage.ss_family == AF_INET)
        found.port = ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    else if (storage.ss_family == AF_INET6)
        found.port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return found;
}

} // namespace

TlsPlainSocket::TlsPlainSocket(TlsConnection *connection, int pairEnd, int client, QObject *parent)
    : QTcpSocket(parent)
    , m_connection(connection)
{
    setSocketDescriptor(pairEnd);
    const Endpoint peer = endpoint(client, &::getpeername);
    const Endpoint local = endpoint(client, &::getsockname);
    setPeerAddress(peer.address);
    setPeerPort(peer.port);
    setLocalAddress(local.address);
    setLocalPort(local.port);
}

TlsConnection *TlsPlainSocket::connection() const
{
    return m_connection;
}
