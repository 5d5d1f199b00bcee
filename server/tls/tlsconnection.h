#pragma once

#include "httplimitstats.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>

#include <memory>
#include <optional>

class TlsContext;
class TlsPlainSocket;
class TlsSession;

// One accepted TLS connection until it carries an event stream. It runs the handshake on the
// client's descriptor, then relays between it and one end of a local socket pair whose other
// end is the TlsPlainSocket the HTTP server, the control channel or HTTP/2 read as if the
// client spoke in clear: what the client sends is decrypted into the pair, what they write
// is encrypted back. Each direction keeps at most one read's worth in memory and reads no
// more while that waits, so a side that does not read is bounded by the kernel's buffers.
// An event stream takes the descriptor and the session out (takeStream()) and writes them
// on the send threads, with no relay. It deletes itself once either side has closed.
class TlsConnection final : public QObject
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

    // The plain socket for a client's TCP descriptor, a child of socketParent, or null (the
    // descriptor closed) when no pair or session could be made.
    static TlsPlainSocket *accept(int descriptor, std::shared_ptr<const TlsContext> context, HttpLimitStats *stats,
                                  QObject *socketParent);
    ~TlsConnection() override;

    // For a stream starting on the plain socket: everything Qt wrote so far is encrypted, the
    // plain socket is aborted (QtHttpServer then frees it and its request) and the relay ends.
    // Nullopt, with nothing changed, when Qt cannot hand over what it buffered.
    std::optional<Stream> takeStream();

Q_SIGNALS:
    // The handshake is done; protocol is what ALPN chose. Emitted before any decrypted byte
    // reaches the plain socket, so a receiver may still give the socket to another reader.
    void established(const QByteArray &protocol);

private:
    TlsConnection(int client, int server, std::unique_ptr<TlsSession> session, HttpLimitStats *stats);

    void clientReadable();
    void serverReadable();
    bool receiveFromClient(QByteArrayView bytes);
    void passToServer();
    void sendToClient();
    void sendAlert();
    // Closes both descriptors (the client's unless a stream took it) and deletes this later.
    void finish();
    void release();
    qsizetype pendingToClient() const { return m_toClient.size() - m_toClientSent; }

    int m_client;
    int m_server; // our end of the pair
    std::unique_ptr<TlsSession> m_session;
    HttpLimitStats *m_stats;
    QPointer<TlsPlainSocket> m_socket;
    QSocketNotifier m_clientRead;
    QSocketNotifier m_clientWrite;
    QSocketNotifier m_serverRead;
    QSocketNotifier m_serverWrite;
    QByteArray m_toClient;
    qsizetype m_toClientSent = 0;
    QByteArray m_toServer;
    qsizetype m_toServerSent = 0;
    bool m_serverClosed = false;
    bool m_finished = false;
};
