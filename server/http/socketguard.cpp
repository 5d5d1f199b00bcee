#include "socketguard.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcGuard, "eventsource.server.http.guard")

SocketGuard::SocketGuard(QTcpSocket *socket, Limits limits, HttpLimitStats *stats, DeadlineSweep *sweep)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_stats(stats)
    , m_sweep(sweep)
{
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
    m_head.clear();
    m_bodyBytes = 0;
    m_inHead = true;
    m_requestStarted = false;
    restartDeadline();
}

void SocketGuard::streamStarted()
{
    m_done = true;
    stopDeadline();
    m_head.clear();
}

void SocketGuard::handleReadyRead()
{
    if (m_done)
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    m_requestStarted = true;
    if (!m_inHead) {
        m_bodyBytes += available;
        if (m_bodyBytes > m_limits.maxBodyBytes)
            refuse(413, "Payload Too Large", "request body is too large");
        return;
    }
    const qsizetype searchFrom = qMax<qsizetype>(0, m_head.size() - 3);
    m_head.append(m_socket->peek(qMin<qint64>(available, m_limits.maxHeaderBytes + 4)));
    const qsizetype end = m_head.indexOf("\r\n\r\n", searchFrom);
    if (end < 0) {
        if (m_head.size() > m_limits.maxHeaderBytes)
            refuse(431, "Request Header Fields Too Large", "request head is too large");
        return;
    }
    if (end > m_limits.maxHeaderBytes) {
        refuse(431, "Request Header Fields Too Large", "request head is too large");
        return;
    }
    m_inHead = false;
    m_bodyBytes = m_head.size() - (end + 4);
    const QByteArray head = m_head.left(end).toLower();
    m_head.clear();
    const qsizetype lengthAt = head.indexOf("\r\ncontent-length:");
    if (lengthAt >= 0) {
        const qsizetype lineEnd = head.indexOf("\r\n", lengthAt + 2);
        const QByteArray value = head.mid(lengthAt + 17, lineEnd < 0 ? -1 : lineEnd - lengthAt - 17).trimmed();
        bool ok = false;
        const qint64 length = value.toLongLong(&ok);
        if (ok && length > m_limits.maxBodyBytes) {
            refuse(413, "Payload Too Large", "request body is too large");
            return;
        }
    }
    if (head.contains("\r\nexpect: 100-continue"))
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void SocketGuard::handleTimeout()
{
    m_deadline = 0;
    if (m_done)
        return;
    if (m_requestStarted) {
        refuse(408, "Request Timeout", "request not complete in time");
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

void SocketGuard::refuse(int status, const QByteArray &reason, const QByteArray &message)
{
    if (status == 431)
        ++m_stats->headerTooLarge;
    else if (status == 413)
        ++m_stats->bodyTooLarge;
    else if (status == 408)
        ++m_stats->requestTimeouts;
    qCInfo(lcGuard).nospace() << "request refused status=" << status
                              << " peer=" << m_socket->peerAddress().toString();
    m_done = true;
    stopDeadline();
    // Nobody else may read this socket now: QtHttpServer would answer the request after us.
    QObject::disconnect(m_socket, &QIODevice::readyRead, nullptr, nullptr);
    m_socket->skip(m_socket->bytesAvailable());
    const QByteArray body = R"({"error":")" + message + "\"}";
    m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    m_socket->disconnectFromHost();
    QTimer::singleShot(2000, m_socket, &QAbstractSocket::abort);
}
