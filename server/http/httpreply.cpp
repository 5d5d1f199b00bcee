#include "httpreply.h"

#include "publicresponder.h"
#include "socketguard.h"

#include <QJsonDocument>
#include <QTcpSocket>

namespace {

template <typename Responder, typename Json>
void jsonTo(Responder &responder, const Json &body, HttpReply::Status status, const HttpReply::Headers &headers)
{
    // With a newline, as a terminal (curl) and line-based tools expect a text answer to end.
    HttpReply::raw(responder, status, "application/json", QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n',
                   headers);
}

QJsonObject errorBody(const QString &message)
{
    return QJsonObject{{QStringLiteral("error"), message}};
}

} // namespace

void HttpReply::json(QHttpServerResponder &responder, const QJsonObject &body, Status status, const Headers &headers)
{
    jsonTo(responder, body, status, headers);
}

void HttpReply::json(PublicResponder &responder, const QJsonObject &body, Status status, const Headers &headers)
{
    jsonTo(responder, body, status, headers);
}

void HttpReply::json(QHttpServerResponder &responder, const QJsonArray &body, Status status, const Headers &headers)
{
    jsonTo(responder, body, status, headers);
}

void HttpReply::error(QHttpServerResponder &responder, Status status, const QString &message, const Headers &headers)
{
    jsonTo(responder, errorBody(message), status, headers);
}

void HttpReply::error(PublicResponder &responder, Status status, const QString &message, const Headers &headers)
{
    jsonTo(responder, errorBody(message), status, headers);
}

void HttpReply::raw(PublicResponder &responder, Status status, const QByteArray &contentType, const QByteArray &body,
                    const Headers &headers)
{
    responder.respond(status, contentType, body, headers);
}

void HttpReply::raw(QHttpServerResponder &responder, Status status, const QByteArray &contentType,
                    const QByteArray &body, const Headers &headers)
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
