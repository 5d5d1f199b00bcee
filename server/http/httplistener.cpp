#include "httplistener.h"

#include "httpreply.h"
#include "socketguard.h"

#include <QHttpServerRequest>
#include <QTcpSocket>

HttpListener::HttpListener(Handler handler, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_handler(std::move(handler))
{
}

bool HttpListener::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    SocketGuard *guard = SocketGuard::of(socket);
    if (guard) {
        guard->requestCompleted();
        // Pipelined behind the request whose answer closes the connection: not answered (an
        // upgrade, refused here, goes to missingHandler, which does the same).
        if (!guard->mayAnswer())
            return request.value("Upgrade").isEmpty();
    }
    // Returning true for an upgrade hands the socket to Qt's WebSocket server; nothing may
    // be written here then (Qt's 101 would follow it).
    if (!request.value("Upgrade").isEmpty()) {
        const bool accepted = !m_webSocketPath.isEmpty() && request.url().path() == m_webSocketPath
            && request.value("Upgrade").toLower() == "websocket";
        if (accepted && guard)
            guard->streamStarted();
        return accepted;
    }
    m_handler(request, makeResponder(request, socket));
    return true;
}

void HttpListener::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (const SocketGuard *guard = SocketGuard::of(socket); guard && !guard->mayAnswer())
        return;
    QHttpServerResponder responder = makeResponder(request, socket);
    HttpReply::error(responder, QHttpServerResponder::StatusCode::NotFound,
                     QStringLiteral("not found"));
}
