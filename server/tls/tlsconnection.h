#pragma once

#include "bytestream.h"
#include "deadlinesweep.h"
#include "httplimitstats.h"
#include "sendbuffer.h"

#include <QByteArray>
#include <QPointer>
#include <QSocketNotifier>

#include <memory>
#include <optional>

class TlsContext;
class TlsPlainSocket;
class TlsSession;

// One accepted TLS connection. It runs the handshake on the client's descriptor (one
// descriptor, within the sweep's timeout, or it is closed); then whoever took established()
// chooses how it is read:
// - relayed (openPlainSocket()): to one end of a local socket pair whose other end is the
//   TlsPlainSocket that the HTTP server or the control channel reads as if the client spoke
//   in clear; what the client sends is decrypted into the pair, what they write encrypted
//   back. An event stream then takes the descriptor and the session out (takeStream()) and
//   writes them on the send threads, with no relay;
// - directly (readDirectly()), as a ByteStream: HTTP/2 reads what is decrypted and writes
//   what is encrypted at once, with no pair.
// Each direction keeps at most one read's worth in memory and reads no more while that
// waits, so a side that does not read is bounded by the kernel's buffers. It deletes itself
// once either side has closed.
class TlsConnection final : public ByteStream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsConnection)

public:
    struct Stream
    {
        int descriptor = -1;
        std::unique_ptr<TlsSession> session;
        QByteArray cipher; // encrypted, not yet sent: goes first
    };

    // Starts the handshake on a client's TCP descriptor; the connection (and its plain
    // socket) are children of parent. Null (the descriptor closed) without memory left.
    static TlsConnection *accept(int descriptor, std::shared_ptr<const TlsContext> context, HttpLimitStats *stats,
                                 DeadlineSweep *handshakeDeadline, QObject *parent);
    ~TlsConnection() override;

    // After established(): relays the connection to a new plain socket. Null, and the
    // connection closed, when no descriptors are left.
    TlsPlainSocket *openPlainSocket();
    // After established(): the connection is read as a ByteStream.
    void readDirectly();

    // For a stream starting on the plain socket: everything Qt wrote so far is encrypted, the
    // plain socket is aborted (QtHttpServer then frees it and its request) and the relay ends.
    // Nullopt, with nothing changed, when Qt cannot hand over what it buffered.
    std::optional<Stream> takeStream();

    QHostAddress peerAddress() const override;
    QByteArray readAll() override;
    void write(const QByteArray &bytes) override;
    qint64 bytesToWrite() const override { return m_toClient.size(); }
    void close() override;
    void abort() override { finish(); }

Q_SIGNALS:
    // The handshake is done; protocol is what ALPN chose. The receiver calls
    // openPlainSocket() or readDirectly() before it returns, or the connection is closed.
    void established(const QByteArray &protocol);

private:
    enum class Mode { Handshake, Relayed, Direct };

    TlsConnection(int client, std::unique_ptr<TlsSession> session, HttpLimitStats *stats);

    void clientReadable();
    void clientWritable();
    void serverReadable();
    bool receiveFromClient(QByteArrayView bytes);
    void passToServer();
    // Appends to what waits for the client; false (and finished) when OpenSSL cannot.
    bool encryptToClient(QByteArrayView plain);
    void sendToClient();
    void sendAlert();
    void handshakeTimedOut();
    // Closes both descriptors (the client's unless a stream took it) and deletes this later.
    void finish();
    void release();

    Mode m_mode = Mode::Handshake;
    int m_client;
    int m_server = -1; // our end of the pair, once relayed
    std::unique_ptr<TlsSession> m_session;
    HttpLimitStats *m_stats;
    QPointer<DeadlineSweep> m_sweep; // a sibling, which may be destroyed first
    DeadlineSweep::Ticket m_handshakeDeadline = 0;
    QPointer<TlsPlainSocket> m_socket;
    QSocketNotifier m_clientRead;
    QSocketNotifier m_clientWrite;
    std::unique_ptr<QSocketNotifier> m_serverRead;
    std::unique_ptr<QSocketNotifier> m_serverWrite;
    SendBuffer m_toClient; // encrypted
    SendBuffer m_toServer; // decrypted
    bool m_closing = false; // nothing more to send: finish once what is pending has gone
    bool m_finished = false;
};
