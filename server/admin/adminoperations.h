#pragma once

#include "connectionrecord.h"
#include "httplimitstats.h"

#include <QJsonArray>
#include <QJsonObject>

#include <functional>

struct Event;
class ClusterPresence;
class FaultInjector;
class Hub;
class SseConnection;

// What an operator can do, whichever way they ask (admin HTTP API or control channel):
// bodies are validated here and answered as JSON.
class AdminOperations final
{
public:
    enum class Failure { None, BadRequest, Forbidden, NotFound, TooLarge, Unavailable };
    struct Outcome
    {
        QJsonObject result;
        Failure failure = Failure::None;
        QString error;
    };

    using Done = std::function<void(const Outcome &)>;
    using JsonDone = std::function<void(const QJsonObject &)>;

    AdminOperations(Hub *hub, const HttpLimitStats *httpStats);
    const HttpLimitStats &httpStats() const { return *m_httpStats; }

    // Answers once the event is stored (Unavailable: it could not be), or at once when the
    // body is refused. A dry run ("dryRun": true) sends nothing and answers
    // {"wouldDeliver": n, "connections": [ids]}, every node's streams in a cluster.
    void push(const QJsonObject &body, Done done) const;
    // A batch: 1 to maxBatch push bodies (no dry runs), checked whole before any is published,
    // so a refusal publishes nothing. Published in one event-loop turn: one commit of the
    // history. Answers {"events": [{"id", "delivered"}, ...]} in order once all are stored;
    // Unavailable when some could not be, with each one's {"id", "delivered"} or {"error"}.
    void pushBatch(const QJsonArray &bodies, Done done) const;
    static constexpr int maxBatch = 1000;
    // {"id", "delivered", "queued", "dropped"} of one of the newest events on this node.
    Outcome eventStatus(const QString &eventId) const;
    Outcome pause(const QJsonObject &body) const;
    Outcome kick(const QString &connectionId) const;
    // {"events": [{"id", "event", "bytes", "at", "replayed"}]}: the last events one of this
    // node's streams received, oldest first.
    Outcome trace(const QString &connectionId) const;
    static constexpr int traceLength = 50;
    // Test faults (--test-faults); without an injector every fault operation is Forbidden.
    void setFaults(FaultInjector *faults) { m_faults = faults; }
    FaultInjector *faultInjector() const { return m_faults; }
    Outcome addFault(const QJsonObject &body) const;
    Outcome faults() const;
    Outcome removeFault(const QString &faultId) const;
    // Test mode (--test-mode): POST /api/reset; Forbidden otherwise.
    void setTestMode(bool on) { m_testMode = on; }
    Outcome reset() const;
    // In a cluster: the other nodes' streams are listed too, and there are nodes to list.
    void setPresence(ClusterPresence *presence) { m_presence = presence; }
    // This node's streams, optionally only those of a user and/or a group (id or name),
    // through the indices.
    QJsonObject connections(const QString &user = {}, const QString &group = {}) const;
    // The same over the whole cluster (each record with its node); this node's alone when
    // Redis cannot be asked, with "error" saying so.
    void clusterConnections(const QString &user, const QString &group, JsonDone done) const;
    // {"nodes": [{"id", "connections", ...}]}: this node first, then every other live one.
    void nodes(JsonDone done) const;
    QJsonObject stats() const;
    // The newest events kept, newest first.
    QJsonObject history(int limit) const;

    static ConnectionRecord record(const SseConnection &connection);
    static constexpr int maxHistory = 1000;

private:
    void preview(const Event &draft, Done done) const;

    Hub *m_hub;
    const HttpLimitStats *m_httpStats;
    ClusterPresence *m_presence = nullptr;
    FaultInjector *m_faults = nullptr;
    bool m_testMode = false;
};
