#pragma once

#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonObject>

class PublicResponder;

// One way to answer, through QtHttpServer's responder or a PublicResponder: JSON bodies, and
// errors as {"error": message} with their status.
struct HttpReply final
{
    using Headers = QList<std::pair<QByteArray, QByteArray>>;
    using Status = QHttpServerResponder::StatusCode;

    static void json(QHttpServerResponder &responder, const QJsonObject &body, Status status = Status::Ok,
                     const Headers &headers = {});
    static void json(PublicResponder &responder, const QJsonObject &body, Status status = Status::Ok,
                     const Headers &headers = {});
    static void json(QHttpServerResponder &responder, const QJsonArray &body, Status status = Status::Ok,
                     const Headers &headers = {});
    static void error(QHttpServerResponder &responder, Status status, const QString &message,
                      const Headers &headers = {});
    static void error(PublicResponder &responder, Status status, const QString &message,
                      const Headers &headers = {});
    static void raw(QHttpServerResponder &responder, Status status, const QByteArray &contentType,
                    const QByteArray &body, const Headers &headers = {});
    static void raw(PublicResponder &responder, Status status, const QByteArray &contentType,
                    const QByteArray &body, const Headers &headers = {});
};
