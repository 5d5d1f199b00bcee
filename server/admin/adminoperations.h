#pragma once

#include "connectionrecord.h"
#include "httplimitstats.h"

#include <QJsonObject>

#include <functional>

class Hub;
class SseConnection;

// What an operator can do, whichever way they ask (admin HTTP API or control channel):
// bodies are validated here and answered as JSON.
class AdminOperations final
{
public:
    enum class Failure { None, BadRequest, NotFound, TooLarge, Unavailable };
    struct Outcome
    {
        QJsonObject result;
        Failure failure = Failure::None;
        QString error;
    };

    using Done = std::function<void(const Outcome &)>;

    AdminOperations(Hub *hub, const HttpLimitStats *httpStats);

    // Answers once the event is stored (Unavailable: it could not be), or at once when the
    // body is refused.
    void push(const QJsonObject &body, Done done) const;
    Outcome pause(const QJsonObject &body) const;
    Outcome kick(const QString &connectionId) const;
    // Streams, optionally only those of a user and/or a group (id or name), through the indices.
    QJsonObject connections(const QString &user = {}, const QString &group = {}) const;
    QJsonObject stats() const;
    // The newest events kept, newest first.
    QJsonObject history(int limit) const;

    static ConnectionRecord record(const SseConnection &connection);
    static QJsonObject eventJson(const struct Event &event, int delivered);
    static constexpr int maxHistory = 1000;

private:
    Hub *m_hub;
    const HttpLimitStats *m_httpStats;
};
