#pragma once

#include "sendbuffer.h"
#include "streamsink.h"

#include <QSocketNotifier>

#include <memory>

class QTcpSocket;
class TlsSession;

// The TCP stream sink, on a descriptor of its own. Once a stream starts, Qt's QTcpSocket
// and QtHttpServer's request let go of the connection: that frees their buffers (most of a
// stream's memory) and the two epoll changes Qt makes around every write. Queued bytes go
// to the kernel in one send(); only what the kernel does not take waits here, for a write
// notifier, and that is what the owner bounds. Input is read and dropped: nothing sent on a
// stream is ever parsed (the pipelining hazard). Under TLS the stream owns its session too:
// send() encrypts what was queued in one go, on whichever thread sends, and input is dropped
// undecrypted (a client's close_notify is followed by its FIN, which ends the stream).
class StreamSocket final : public StreamSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamSocket)

public:
    // Moves the connection out of a connected QTcpSocket: returns a descriptor of our own,
    // (TCP_NODELAY as TcpListener set it), and aborts the QTcpSocket (QtHttpServer then frees it). Returns
    // -1 and leaves the socket as it was when no descriptor is left.
    static int takeOver(QTcpSocket *socket);

    explicit StreamSocket(int descriptor, QObject *parent = nullptr);
    // A TLS stream: cipher is what the session encrypted before, which goes first.
    StreamSocket(int descriptor, std::unique_ptr<TlsSession> session, const QByteArray &cipher,
                 QObject *parent = nullptr);
    ~StreamSocket() override;

    bool isOpen() const { return m_descriptor >= 0; }
    // Queued bytes the kernel has not taken yet (under TLS, encrypted or not).
    qint64 unsent() const override { return m_plain.size() + m_out.size(); }
    void queue(const QByteArray &bytes) override;
    // Hands queued bytes to the kernel in one send().
    void send() override;
    void settle() override;
    void closeWhenSent(int graceMs) override;
    void abort() override;

private:
    void readable();
    void writable();
    void drainInput();
    void encrypt();

    int m_descriptor;
    int m_sendError = 0;
    QSocketNotifier m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; // made the first time the kernel is full
    std::unique_ptr<TlsSession> m_tls;
    QByteArray m_plain; // under TLS: queued, not yet encrypted
    SendBuffer m_out;
    bool m_closing = false;
    bool m_peerClosed = false;
};
