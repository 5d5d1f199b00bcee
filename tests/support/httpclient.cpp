#include "httpclient.h"

#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QTcpSocket>

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray HttpClient::raw(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    socket.waitForBytesWritten(timeoutMs);
    QByteArray received;
    readUntil(socket, received, [] { return false; }, timeoutMs);
    return received;
}

bool HttpClient::readUntil(QTcpSocket &socket, QByteArray &received, const std::function<bool()> &done,
                           int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(50);
        received += socket.readAll();
    }
    received += socket.readAll();
    return done();
}

HttpResponse HttpClient::parse(const QByteArray &bytes)
{
    HttpResponse response;
    const qsizetype end = bytes.indexOf("\r\n\r\n");
    if (!bytes.startsWith("HTTP/1.1 ") || end < 0)
        return response;
    const QList<QByteArray> lines = bytes.left(end).split('\n');
    response.status = lines.first().mid(9, 3).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            response.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
    }
    response.body = bytes.mid(end + 4);
    return response;
}

HttpResponse HttpClient::request(quint16 port, const QByteArray &method, const QByteArray &target,
                                 const QByteArray &body, const Headers &headers, int timeoutMs)
{
    QByteArray bytes = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:"
        + QByteArray::number(port) + "\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        bytes += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST")
        bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    bytes += "\r\n" + body;
    // Qt answers with Content-Length and keeps the connection open: stop at the body's end.
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    QByteArray received;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(50) && socket.state() != QAbstractSocket::ConnectedState)
            break;
        received += socket.readAll();
        HttpResponse response = parse(received);
        const QByteArray length = response.header("Content-Length");
        if (response.status && !length.isEmpty() && response.body.size() >= length.toLongLong())
            return response;
    }
    return parse(received + socket.readAll());
}

QByteArray HttpClient::adminAuthorization()
{
    return QByteArray("Bearer ") + ServerProcess::adminToken;
}

HttpResponse HttpClient::admin(quint16 port, const QByteArray &method, const QByteArray &target,
                               const QByteArray &body)
{
    return request(port, method, target, body, {{"Authorization", adminAuthorization()}});
}
