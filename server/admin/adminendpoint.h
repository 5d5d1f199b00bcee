#pragma once

#include "httplimitstats.h"

#include <QHttpServerResponder>
#include <QJsonObject>

#include <optional>

class Hub;
class QHttpServerRequest;
class SseConnection;

// The admin listener's HTTP API. Every request needs "Authorization: Bearer <admin token>".
class AdminEndpoint final
{
public:
    AdminEndpoint(Hub *hub, QByteArray adminToken, const HttpLimitStats *httpStats);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    static QJsonObject connectionJson(const SseConnection &connection);
    QJsonObject statsJson() const;

private:
    bool authorized(const QHttpServerRequest &request) const;
    // The request body as a JSON object, or an error already answered.
    static std::optional<QJsonObject> jsonBody(const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    void push(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void pause(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void listConnections(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void deleteConnection(const QString &id, QHttpServerResponder &responder);

    Hub *m_hub;
    QByteArray m_token;
    const HttpLimitStats *m_httpStats;
};
