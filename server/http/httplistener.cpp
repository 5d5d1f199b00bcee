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
    if (SocketGuard *guard = SocketGuard::of(socket))
        guard->requestCompleted();
    // Returning true for an upgrade would hand the socket to Qt's WebSocket server.
    if (!request.value("Upgrade").isEmpty())
        return false;
    m_handler(request, makeResponder(request, socket));
    return true;
}

void HttpListener::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    HttpReply::error(responder, QHttpServerResponder::StatusCode::NotFound,
                     QStringLiteral("not found"));
}
