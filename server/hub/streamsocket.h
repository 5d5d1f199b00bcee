#pragma once

#include <QByteArray>
#include <QObject>
#include <QSocketNotifier>

#include <memory>

class QTcpSocket;

// The sending end of one event stream, on a descriptor of its own. Once a stream starts,
// Qt's QTcpSocket and QtHttpServer's request let go of the connection: that frees their
// buffers (most of a stream's memory) and the two epoll changes Qt makes around every
// write. Queued bytes go to the kernel in one send(); only what the kernel does not take
// waits here, for a write notifier, and that is what the owner bounds. Input is read and
// dropped: nothing sent on a stream is ever parsed (the pipelining hazard).
class StreamSocket final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamSocket)

public:
    // Moves the connection out of a connected QTcpSocket: returns a descriptor of our own,
    // with TCP_NODELAY set, and aborts the QTcpSocket (QtHttpServer then frees it). Returns
    // -1 and leaves the socket as it was when no descriptor is left.
    static int takeOver(QTcpSocket *socket);

    explicit StreamSocket(int descriptor, QObject *parent = nullptr);
    ~StreamSocket() override;

    bool isOpen() const { return m_descriptor >= 0; }
    // Queued bytes the kernel has not taken yet.
    qint64 unsent() const { return m_out.size() - m_sent; }
    void queue(const QByteArray &bytes);
    // Hands queued bytes to the kernel. Touches nothing but this object, so several sockets
    // may send on different threads at once; settle() follows on the owner's thread.
    void send();
    // After send(), on the owner's thread: waits for room for what is left, or closes the
    // stream if the send failed.
    void settle();
    // Closes once everything queued is with the kernel, or after graceMs at the latest.
    void closeWhenSent(int graceMs);
    // Closes now; what is still queued here is dropped.
    void abort();

Q_SIGNALS:
    // The connection is over: the peer closed or reset it, a send failed, or it was closed
    // here. Emitted once.
    void closed();
    // The kernel took more of what was waiting (unsent() went down).
    void drained();

private:
    void readable();
    void writable();
    void drainInput();

    int m_descriptor;
    int m_sendError = 0;
    QSocketNotifier m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; // made the first time the kernel is full
    QByteArray m_out;
    qsizetype m_sent = 0;
    bool m_closing = false;
    bool m_peerClosed = false;
};
