#pragma once

#include "bytestream.h"

#include <QPointer>

class QTcpSocket;

// A ByteStream over a connected QTcpSocket (HTTP/2 in clear), a child of the socket: it ends
// with it. Qt buffers at most 64 KiB of input; the rest waits in the kernel.
class SocketByteStream final : public ByteStream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketByteStream)

public:
    explicit SocketByteStream(QTcpSocket *socket);

    QHostAddress peerAddress() const override;
    QByteArray readAll() override;
    void write(const QByteArray &bytes) override;
    qint64 bytesToWrite() const override;
    void close() override;
    void abort() override;

private:
    QPointer<QTcpSocket> m_socket;
};
