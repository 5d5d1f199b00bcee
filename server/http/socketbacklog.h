#pragma once

#include <QSslSocket>
#include <QTcpSocket>

// What a socket still holds to send: Qt's write buffer, and under TLS what is encrypted
// but not yet taken by the kernel.
struct SocketBacklog final
{
    static qint64 of(const QTcpSocket *socket)
    {
        qint64 pending = socket->bytesToWrite();
        if (const auto *ssl = qobject_cast<const QSslSocket *>(socket))
            pending += ssl->encryptedBytesToWrite();
        return pending;
    }
};
