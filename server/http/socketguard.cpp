#include "socketguard.h"

#include "clientaddress.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcGuard, "eventsource.server.http.guard")

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    }
    return "Error";
}

} // namespace

SocketGuard::SocketGuard(QTcpSocket *socket, Limits limits, HttpLimitStats *stats, DeadlineSweep *sweep)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_stats(stats)
    , m_sweep(sweep)
{
    // The guard must see every byte the HTTP server reads, so Qt may buffer no more than one
    // whole request; what is beyond waits in the kernel.
    socket->setReadBufferSize(limits.maxHeaderBytes + limits.maxBodyBytes + 64 * 1024);
    connect(socket, &QIODevice::readyRead, this, &SocketGuard::handleReadyRead);
    restartDeadline();
}

SocketGuard::~SocketGuard()
{
    stopDeadline();
}

SocketGuard *SocketGuard::of(QTcpSocket *socket)
{
    return socket ? socket->findChild<SocketGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

void SocketGuard::requestCompleted()
{
    ++m_requestsHandled;
    if (!m_done)
        restartDeadline();
}

void SocketGuard::streamStarted()
{
    m_done = true;
    stopDeadline();
    m_head.clear();
    // A WebSocket reads frames of its own size: no request budget applies any more.
    m_socket->setReadBufferSize(0);
}

void SocketGuard::responseWritten()
{
    if (!closeAfterResponse() || m_done)
        return;
    m_done = true;
    stopDeadline();
    m_socket->disconnectFromHost();
    QTimer::singleShot(2000, m_socket, &QAbstractSocket::abort);
}

void SocketGuard::handleReadyRead()
{
    if (m_done || m_phase == Phase::Upgraded || m_phase == Phase::Closing)
        return;
    const qint64 available = m_socket->bytesAvailable();
    // QtHttpServer 6.4 reads requests in transactions and, after answering one, signals
    // readyRead again for the rest of the buffer: bytes this guard has already followed.
    // What is new is what the buffer grew by since the HTTP server's last read
    // (followServerReads()), at its end; when nothing is, the buffer is not even looked at
    // (thousands of pipelined requests would otherwise copy it once each). This counts what
    // the socket delivers, so it holds for TLS, where the kernel's counts are of ciphertext.
    const qint64 fresh = qBound<qint64>(0, available - m_availableAfterServer, available);
    m_availableAfterServer = available;
    if (fresh <= 0)
        return;
    const QByteArray buffered = m_socket->peek(available);
    if (opensWithHttp2Preface(buffered)) {
        handOver();
        Q_EMIT http2Preface();
        return;
    }
    consume(QByteArrayView(buffered).last(qMin<qint64>(fresh, buffered.size())));
}

bool SocketGuard::opensWithHttp2Preface(QByteArrayView buffered) const
{
    // "PRI " is no method an HTTP/1.1 client sends; nghttp2 checks the rest of the preface.
    static constexpr QByteArrayView preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    if (!m_limits.detectHttp2 || m_requestsFollowed > 0 || m_requestStarted || buffered.size() < 4)
        return false;
    const qsizetype compared = qMin(buffered.size(), preface.size());
    return buffered.first(compared) == preface.first(compared);
}

void SocketGuard::handOver()
{
    m_done = true;
    stopDeadline();
    m_head.clear();
    QObject::disconnect(m_socket, &QIODevice::readyRead, this, nullptr);
    m_socket->setReadBufferSize(0);
}

void SocketGuard::followServerReads()
{
    connect(m_socket, &QIODevice::readyRead, this,
            [this] { m_availableAfterServer = m_socket->bytesAvailable(); });
}

void SocketGuard::consume(QByteArrayView bytes)
{
    while (!bytes.isEmpty() && !m_done) {
        m_requestStarted = true;
        qsizetype used = 0;
        switch (m_phase) {
        case Phase::Head:
            used = consumeHead(bytes);
            break;
        case Phase::LengthBody:
            used = qsizetype(qMin<qint64>(m_bodyLeft, bytes.size()));
            m_bodyLeft -= used;
            if (m_bodyLeft == 0)
                messageCompleted();
            break;
        case Phase::ChunkedBody:
            used = m_chunked.feed(bytes);
            if (m_chunked.state() == ChunkedBody::State::Malformed)
                return refuse(400, "malformed chunked body");
            if (m_chunked.dataBytes() > m_limits.maxBodyBytes)
                return refuse(413, "request body is too large");
            if (m_chunked.state() == ChunkedBody::State::Done)
                messageCompleted();
            break;
        case Phase::Upgraded:
        case Phase::Closing:
            return;
        }
        bytes = bytes.sliced(used);
    }
}

qsizetype SocketGuard::consumeHead(QByteArrayView bytes)
{
    const qsizetype searchFrom = qMax<qsizetype>(0, m_head.size() - 3);
    const qsizetype before = m_head.size();
    // A TLS record (0x16: handshake) where a request line should start: a client that
    // takes this port for a TLS one. Refused at its first byte, not after its head times out.
    if (before == 0 && !bytes.isEmpty() && bytes.front() == '\x16') {
        refuse(400, "TLS handshake on a plain HTTP port");
        return bytes.size();
    }
    m_head.append(bytes.first(qMin<qsizetype>(bytes.size(), m_limits.maxHeaderBytes + 4 - before + 1)));
    bool bare = false;
    const qsizetype end = RequestHead::findEnd(m_head, searchFrom, &bare);
    if (end < 0 || end > m_limits.maxHeaderBytes) {
        if (m_head.size() > m_limits.maxHeaderBytes)
            refuse(431, "request head is too large");
        return bytes.size();
    }
    if (bare) {
        // Where Qt would see the head end and this guard would not: the smuggler's way past it.
        refuse(400, "bare LF or CR in the request head");
        return bytes.size();
    }
    const RequestHead head = RequestHead::parse(QByteArrayView(m_head).first(end));
    const qsizetype used = end + 4 - before;
    m_head.clear();
    if (!head.isAcceptable()) {
        refuse(head.status, head.message);
        return used;
    }
    if (!head.keepAlive || head.upgrade)
        m_closeAt = m_requestsFollowed + 1;
    if (head.upgrade) {
        // Another protocol follows: taken (streamStarted), or answered 404 and closed.
        ++m_requestsFollowed;
        m_phase = Phase::Upgraded;
        return used;
    }
    if (head.framing == RequestHead::Framing::Length && head.contentLength > m_limits.maxBodyBytes) {
        refuse(413, "request body is too large");
        return used;
    }
    // Only for the oldest request not yet handled: ahead of an earlier answer, the client
    // would take it for that one. A pipelining client has sent its bodies anyway.
    if (head.expectContinue && head.framing != RequestHead::Framing::None && m_requestsHandled == m_requestsFollowed)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (head.framing == RequestHead::Framing::Chunked) {
        m_chunked = ChunkedBody();
        m_phase = Phase::ChunkedBody;
    } else if (head.framing == RequestHead::Framing::Length && head.contentLength > 0) {
        m_bodyLeft = head.contentLength;
        m_phase = Phase::LengthBody;
    } else {
        messageCompleted();
    }
    return used;
}

void SocketGuard::messageCompleted()
{
    ++m_requestsFollowed;
    m_phase = m_closeAt != 0 ? Phase::Closing : Phase::Head;
    m_requestStarted = false;
}

void SocketGuard::handleTimeout()
{
    m_deadline = 0;
    if (m_done)
        return;
    if (m_requestStarted) {
        refuse(408, "request not complete in time");
        return;
    }
    m_done = true;
    m_socket->disconnectFromHost();
}

void SocketGuard::restartDeadline()
{
    stopDeadline();
    if (m_sweep)
        m_deadline = m_sweep->arm([this] { handleTimeout(); });
}

void SocketGuard::stopDeadline()
{
    if (m_sweep)
        m_sweep->cancel(m_deadline);
    m_deadline = 0;
}

void SocketGuard::refuse(int status, const QByteArray &message)
{
    if (status == 431)
        ++m_stats->headerTooLarge;
    else if (status == 413)
        ++m_stats->bodyTooLarge;
    else if (status == 408)
        ++m_stats->requestTimeouts;
    else
        ++m_stats->malformedRequests;
    if (const std::optional<qint64> heldBack = m_stats->refusalLog.admit()) {
        qCInfo(lcGuard).nospace().noquote() << "request refused status=" << status
                                            << " peer=" << ClientAddress::text(m_socket->peerAddress())
                                            << " refusals_not_logged=" << *heldBack;
    }
    if (m_requestsHandled < m_requestsFollowed) {
        // Earlier requests wait for their answers in Qt's buffer: the last of them closes.
        m_closeAt = m_requestsFollowed;
        m_phase = Phase::Closing;
        m_requestStarted = false;
        restartDeadline();
        return;
    }
    m_done = true;
    stopDeadline();
    // Nobody else may read this socket now: QtHttpServer would answer the request after us.
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    m_socket->skip(m_socket->bytesAvailable());
    const QByteArray body = R"({"error":")" + message + "\"}";
    m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    m_socket->disconnectFromHost();
    QTimer::singleShot(2000, m_socket, &QAbstractSocket::abort);
}
