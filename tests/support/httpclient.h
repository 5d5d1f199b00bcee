#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>

#include <functional>

class QTcpSocket;

// A blocking HTTP/1.1 client over a raw socket (one request, Connection: close), so tests
// see exactly what the server wrote.
struct HttpResponse
{
    int status = 0; // 0: no response (connection failed or closed early)
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

struct HttpClient final
{
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    static HttpResponse request(quint16 port, const QByteArray &method, const QByteArray &target,
                                const QByteArray &body = {}, const Headers &headers = {},
                                int timeoutMs = 10000);
    // The Authorization value of the test token: "Bearer <ServerProcess::adminToken>".
    static QByteArray adminAuthorization();
    // The admin API with the test token.
    static HttpResponse admin(quint16 port, const QByteArray &method, const QByteArray &target,
                              const QByteArray &body = {});
    // Sends raw bytes and returns whatever comes back until the server closes or times out.
    static QByteArray raw(quint16 port, const QByteArray &bytes, int timeoutMs = 10000);
    static HttpResponse parse(const QByteArray &bytes);
    // Reads into `received` until `done` says so, the peer closes, or the deadline passes;
    // returns done().
    static bool readUntil(QTcpSocket &socket, QByteArray &received, const std::function<bool()> &done,
                          int timeoutMs = 10000);
};
