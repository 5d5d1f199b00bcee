#pragma once

#include <QHostAddress>

#include <netinet/in.h>
#include <sys/socket.h>

// One end of a connected descriptor, from getpeername() or getsockname().
struct SocketEndpoint final
{
    QHostAddress address;
    quint16 port = 0;

    static SocketEndpoint peer(int descriptor) { return of(descriptor, &::getpeername); }
    static SocketEndpoint local(int descriptor) { return of(descriptor, &::getsockname); }

private:
    static SocketEndpoint of(int descriptor, int (*query)(int, sockaddr *, socklen_t *))
    {
        sockaddr_storage storage{};
        socklen_t length = sizeof storage;
        if (query(descriptor, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
            return {};
        SocketEndpoint found;
        found.address = QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
        if (storage.ss_family == AF_INET)
            found.port = ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
        else if (storage.ss_family == AF_INET6)
            found.port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
        return found;
    }
};
