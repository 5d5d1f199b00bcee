#include "httpreply.h"

#include "socketguard.h"

#include <QJsonDocument>
#include <QTcpSocket>

void HttpReply::json(QHttpServerResponder &responder, const QJsonObject &body,
                     QHttpServerResponder::StatusCode status, const Headers &headers)
{
    raw(responder, status, "application/json",
        QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

void HttpReply::error(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status,
                      const QString &message, const Headers &headers)
{
    json(responder, QJsonObject{{QStringLiteral("error"), message}}, status, headers);
}

void HttpReply::raw(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status,
                    const QByteArray &contentType, const QByteArray &body, const Headers &headers)
{
    QTcpSocket *socket = responder.socket();
    if (!socket)
        return;
    SocketGuard *guard = SocketGuard::of(socket);
    responder.writeStatusLine(status);
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeHeader("Cache-Control", "no-store");
    for (const auto &[name, value] : headers)
        responder.writeHeader(name, value);
    if (guard && guard->closeAfterResponse())
        responder.writeHeader("Connection", "close");
    responder.writeBody(body);
    // To the kernel now, not on the next loop turn: an answer to a push must not wait behind
    // the fan-out of the event it published.
    socket->flush();
    if (guard)
        guard->responseWritten();
}
