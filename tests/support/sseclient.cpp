#include "sseclient.h"

#include "httpclient.h"

#include <QDeadlineTimer>

bool SseClient::open(quint16 port, const QByteArray &target, const Headers &headers, int timeoutMs)
{
    if (m_tls) {
        m_socket.setSslConfiguration(*m_tls);
        m_socket.connectToHostEncrypted(QStringLiteral("localhost"), port);
        if (!m_socket.waitForEncrypted(timeoutMs))
            return false;
    } else {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        if (!m_socket.waitForConnected(timeoutMs))
            return false;
    }
    QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: " + (m_tls ? "localhost:" : "127.0.0.1:") + QByteArray::number(port)
        + "\r\nAccept: text/event-stream\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    m_socket.write(request + "\r\n");
    const QDeadlineTimer deadline(timeoutMs);
    while (m_status == 0 && !deadline.hasExpired() && pump(50)) {
    }
    return m_status != 0;
}

bool SseClient::pump(int waitMs)
{
    if (m_closed)
        return false;
    if (!m_socket.bytesAvailable())
        m_socket.waitForReadyRead(waitMs);
    const QByteArray chunk = m_socket.readAll();
    if (m_status == 0) {
        m_head += chunk;
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end >= 0) {
            const HttpResponse response = HttpClient::parse(m_head);
            m_status = response.status;
            m_headers = response.headers;
            m_body = response.body;
            m_messages += m_parser.feed(m_body);
            m_head.clear();
        }
    } else if (!chunk.isEmpty()) {
        m_body += chunk;
        m_messages += m_parser.feed(chunk);
    }
    if (m_socket.state() != QAbstractSocket::ConnectedState && !m_socket.bytesAvailable())
        m_closed = true;
    return true;
}

bool SseClient::waitForMessages(int count, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (m_messages.size() < count && !deadline.hasExpired() && pump(50)) {
    }
    return m_messages.size() >= count;
}

bool SseClient::waitForComments(qint64 count, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (m_parser.commentCount() < count && !deadline.hasExpired() && pump(50)) {
    }
    return m_parser.commentCount() >= count;
}

bool SseClient::waitForBody(const QByteArray &needle, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_body.contains(needle) && !deadline.hasExpired() && pump(50)) {
    }
    return m_body.contains(needle);
}

bool SseClient::waitForClosed(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!m_closed && !deadline.hasExpired() && pump(50)) {
    }
    return m_closed;
}

void SseClient::readFor(int ms)
{
    const QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired() && pump(qMax<qint64>(1, qMin<qint64>(50, deadline.remainingTime())))) {
    }
}

QByteArray SseClient::header(const QByteArray &name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QString SseClient::epochOf(const QString &id)
{
    return id.left(id.lastIndexOf(u'-'));
}

quint64 SseClient::sequenceOf(const QString &id)
{
    return id.mid(id.lastIndexOf(u'-') + 1).toULongLong();
}

SseMessage SseClient::messageOf(const QString &name, const QString &data, const QString &id)
{
    return {name.isEmpty() ? QStringLiteral("message") : name, data, id};
}
