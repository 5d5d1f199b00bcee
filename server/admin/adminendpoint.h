#pragma once

#include "httplimitstats.h"

#include <QHttpServerResponder>
#include <QJsonObject>

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
    void push(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void listConnections(QHttpServerResponder &responder);
    void deleteConnection(const QString &id, QHttpServerResponder &responder);

    Hub *m_hub;
    QByteArray m_token;
    const HttpLimitStats *m_httpStats;
};
