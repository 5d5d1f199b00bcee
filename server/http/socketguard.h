#pragma once

#include "chunkedbody.h"
#include "deadlinesweep.h"
#include "httplimitstats.h"
#include "requesthead.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;

// Watches one accepted socket before QtHttpServer reads it (its readyRead slot is connected
// first, so it runs first): QtHttpServer 6.4 has no timeouts, no size limits and a lenient
// parser. The guard follows the byte stream request by request: a head that breaks RFC 9112
// (RequestHead) is refused with its status, a head past the header budget gets 431, a body
// over the body budget 413, a malformed chunked body 400, a request not complete within the
// timeout 408; an idle keep-alive socket is closed after the same time (the listener's
// DeadlineSweep, whose timeout is requestTimeoutMs, keeps the time). It also answers
// "Expect: 100-continue", which Qt ignores, and remembers which request asked for the
// connection to close after its answer (HTTP/1.0, "Connection: close", an upgrade not taken):
// requests pipelined behind that one are neither followed nor answered. A request refused
// behind pipelined ones still unanswered is not answered either: the last of those closes
// the connection instead, so no refusal is taken for the answer to an earlier request.
class SocketGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SocketGuard)

public:
    struct Limits
    {
        qint64 maxHeaderBytes = 16 * 1024;
        qint64 maxBodyBytes = 1024 * 1024;
        int requestTimeoutMs = 10000;
        // A connection that opens with the HTTP/2 preface is announced (http2Preface())
        // instead of being read as HTTP/1.1.
        bool detectHttp2 = false;
    };

    SocketGuard(QTcpSocket *socket, Limits limits, HttpLimitStats *stats, DeadlineSweep *sweep);
    ~SocketGuard() override;

    static SocketGuard *of(QTcpSocket *socket);
    // Once the HTTP server has connected to the socket: from then on the guard also looks
    // after each of the server's reads (its slot runs after the server's).
    void followServerReads();
    // Qt parsed a whole request and hands it over: budgets start over.
    void requestCompleted();
    // The socket now carries an event stream or a WebSocket: no more requests, no timeout.
    void streamStarted();
    // Whether the request just handed over may be answered: not one pipelined past the request
    // whose answer closes the connection, nor once a refusal was written or a stream took the
    // socket over (QtHttpServer 6.4 still parses what it has buffered).
    bool mayAnswer() const { return !m_done && (m_closeAt == 0 || m_requestsHandled <= m_closeAt); }
    // Whether the answer to the request just handled must close the connection.
    bool closeAfterResponse() const { return m_closeAt != 0 && m_requestsHandled >= m_closeAt; }
    // Called once an answer is written: closes the connection if the client asked for it.
    void responseWritten();
    // Another protocol handler took the socket over (HTTP/2): the guard lets go of it.
    void handOver();

Q_SIGNALS:
    // The connection opened with the HTTP/2 client preface ("PRI * HTTP/2.0"), not yet read.
    void http2Preface();

private:
    // Upgraded: what follows is another protocol; Closing: past the request whose answer closes.
    enum class Phase { Head, LengthBody, ChunkedBody, Upgraded, Closing };

    void handleReadyRead();
    bool opensWithHttp2Preface(QByteArrayView buffered) const;
    // Follows the request stream over bytes the HTTP server is about to read.
    void consume(QByteArrayView bytes);
    qsizetype consumeHead(QByteArrayView bytes);
    void messageCompleted();
    void handleTimeout();
    void restartDeadline();
    void stopDeadline();
    void refuse(int status, const QByteArray &message);

    QTcpSocket *m_socket;
    Limits m_limits;
    HttpLimitStats *m_stats;
    QPointer<DeadlineSweep> m_sweep; // a sibling of the socket, which may be destroyed first
    DeadlineSweep::Ticket m_deadline = 0;
    Phase m_phase = Phase::Head;
    QByteArray m_head; // the request head so far, until its blank line
    qint64 m_bodyLeft = 0;
    ChunkedBody m_chunked;
    qint64 m_availableAfterServer = 0; // bytes buffered when the HTTP server last read
    qint64 m_requestsFollowed = 0; // requests read to their end and let through
    qint64 m_requestsHandled = 0;  // requests handed to a handler (requestCompleted)
    qint64 m_closeAt = 0;          // the number of the request whose answer closes, or 0
    bool m_requestStarted = false;
    bool m_done = false;
};
