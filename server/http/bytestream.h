#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

// A connection's bytes in clear, for a protocol handler that reads and writes them itself
// (HTTP/2): a plain TCP socket (SocketByteStream), or what a TLS connection decrypts
// (TlsConnection, which encrypts what is written). Signals on the owner's thread.
class ByteStream : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ByteStream)

public:
    using QObject::QObject;
    ~ByteStream() override = default;

    virtual QHostAddress peerAddress() const = 0;
    // What arrived since the last call.
    virtual QByteArray readAll() = 0;
    // Sends now what the kernel takes; the rest waits, counted by bytesToWrite().
    virtual void write(const QByteArray &bytes) = 0;
    virtual qint64 bytesToWrite() const = 0;
    // Closes once what is written has gone (under TLS after a close_notify).
    virtual void close() = 0;
    // Closes now; disconnected() follows.
    virtual void abort() = 0;

Q_SIGNALS:
    void readyRead();
    // Some of what was waiting has gone to the kernel.
    void bytesWritten();
    // The connection is over. Once.
    void disconnected();
};
