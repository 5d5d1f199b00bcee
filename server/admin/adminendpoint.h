#pragma once

#include "adminauth.h"
#include "adminoperations.h"
#include "httplimitstats.h"

#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>
#include <memory>
#include <optional>

class Hub;
class QHttpServerRequest;

// The admin listener's HTTP API. Every request needs "Authorization: Bearer <admin token>";
// an address that keeps guessing gets 429 (AdminAuth).
class AdminEndpoint final
{
public:
    AdminEndpoint(Hub *hub, const AdminOperations *operations, AdminAuth *auth,
                  const HttpLimitStats *httpStats);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);

private:
    // The request body as JSON, or nothing with the error already answered.
    static std::optional<QJsonDocument> jsonDocument(const QHttpServerRequest &request,
                                                     QHttpServerResponder &responder);
    // The same, refused unless it is an object.
    static std::optional<QJsonObject> jsonBody(const QHttpServerRequest &request,
                                               QHttpServerResponder &responder);
    static void answer(QHttpServerResponder &responder, const AdminOperations::Outcome &outcome);
    // A responder kept for an answer that comes later: the write runs only if the connection
    // is still there (QtHttpServer 6.4 frees a closed socket under the responder).
    using Held = std::function<void(const std::function<void(QHttpServerResponder &)> &write)>;
    static Held hold(QHttpServerResponder &&responder);
    // Answers when the event is stored; a batch (an array) with an array, once all are.
    void push(const QJsonDocument &body, QHttpServerResponder &&responder);
    // A JSON answer that comes later (from Redis), to the connection if it is still there.
    static std::function<void(const QJsonObject &)> later(QHttpServerResponder &&responder);

    Hub *m_hub;
    const AdminOperations *m_operations;
    AdminAuth *m_auth;
    const HttpLimitStats *m_httpStats;
};
