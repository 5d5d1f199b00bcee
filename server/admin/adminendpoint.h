#pragma once

#include "adminoperations.h"
#include "httplimitstats.h"

#include <QHttpServerResponder>
#include <QJsonObject>

#include <optional>

class Hub;
class QHttpServerRequest;

// The admin listener's HTTP API. Every request needs "Authorization: Bearer <admin token>".
class AdminEndpoint final
{
public:
    AdminEndpoint(Hub *hub, const AdminOperations *operations, QByteArray adminToken,
                  const HttpLimitStats *httpStats);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    bool authorized(const QHttpServerRequest &request) const;

private:
    // The request body as a JSON object, or nothing with the error already answered.
    static std::optional<QJsonObject> jsonBody(const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    static void answer(QHttpServerResponder &responder, const AdminOperations::Outcome &outcome);

    Hub *m_hub;
    const AdminOperations *m_operations;
    QByteArray m_token;
    const HttpLimitStats *m_httpStats;
};
