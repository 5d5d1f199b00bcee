#pragma once

#include <QHostAddress>
#include <QString>

// How a client's address is written and grouped. A listener on Any sees IPv4 clients as
// "::ffff:a.b.c.d": they are written as plain IPv4. For throttling, an IPv6 client is its
// /64, since one host is routinely given a whole /64 and could otherwise rotate addresses.
struct ClientAddress final
{
    static QString text(const QHostAddress &address)
    {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        return isV4 ? QHostAddress(v4).toString() : address.toString();
    }

    static QString throttleKey(const QHostAddress &address)
    {
        bool isV4 = false;
        const quint32 v4 = address.toIPv4Address(&isV4);
        if (isV4 || address.protocol() != QAbstractSocket::IPv6Protocol)
            return isV4 ? QHostAddress(v4).toString() : address.toString();
        Q_IPV6ADDR bytes = address.toIPv6Address();
        for (int i = 8; i < 16; ++i)
            bytes[i] = 0;
        return QHostAddress(bytes).toString() + QStringLiteral("/64");
    }
};
