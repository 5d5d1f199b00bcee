#pragma once

#include <QHttpServerResponder>
#include <QJsonObject>

// One way to answer: JSON bodies, and errors as {"error": message} with their status.
struct HttpReply final
{
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    static void json(QHttpServerResponder &responder, const QJsonObject &body,
                     QHttpServerResponder::StatusCode status = QHttpServerResponder::StatusCode::Ok,
                     const Headers &headers = {});
    static void error(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status,
                      const QString &message, const Headers &headers = {});
    static void raw(QHttpServerResponder &responder, QHttpServerResponder::StatusCode status,
                    const QByteArray &contentType, const QByteArray &body,
                    const Headers &headers = {});
};
