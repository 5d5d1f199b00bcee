#include "adminoperations.h"

#include "clusterpresence.h"
#include "eventsummary.h"
#include "faultinjector.h"
#include "hub.h"
#include "pauserequest.h"
#include "pushrequest.h"

#include <QJsonArray>

#include <memory>
#include <vector>

namespace {

AdminOperations::Outcome failed(AdminOperations::Failure failure, const QString &error)
{
    return {{}, failure, error};
}

AdminOperations::Outcome faultsOff()
{
    return failed(AdminOperations::Failure::Forbidden,
                  QStringLiteral("faults are off on this hub; start it with --test-faults to test client apps"));
}

AdminOperations::Outcome succeeded(QJsonObject result)
{
    return {std::move(result), AdminOperations::Failure::None, {}};
}

// The answer to one stored event: {"id", "delivered"}.
QJsonObject answerOf(const Hub::PublishResult &published)
{
    return {{QStringLiteral("id"), QString::fromLatin1(published.id)},
            {QStringLiteral("delivered"), published.delivered}};
}

AdminOperations::Failure failureOf(Hub::PublishError error)
{
    switch (error) {
    case Hub::PublishError::TooLarge:
        return AdminOperations::Failure::TooLarge;
    case Hub::PublishError::Unavailable:
        return AdminOperations::Failure::Unavailable;
    default:
        return AdminOperations::Failure::BadRequest;
    }
}

} // namespace

AdminOperations::AdminOperations(Hub *hub, const HttpLimitStats *httpStats)
    : m_hub(hub)
    , m_httpStats(httpStats)
{
}

void AdminOperations::push(const QJsonObject &body, Done done) const
{
    PushRequest parsed = PushRequest::fromJson(body);
    if (!parsed.draft)
        return done(failed(Failure::BadRequest, parsed.error));
    if (parsed.dryRun)
        return preview(*parsed.draft, std::move(done));
    m_hub->publish(std::move(*parsed.draft), [done = std::move(done)](const Hub::PublishResult &published) {
        if (published.error == Hub::PublishError::None)
            return done(succeeded(answerOf(published)));
        done(failed(failureOf(published.error), published.message));
    });
}

void AdminOperations::pushBatch(const QJsonArray &bodies, Done done) const
{
    if (bodies.isEmpty() || bodies.size() > maxBatch)
        return done(failed(Failure::BadRequest, QStringLiteral("a batch holds 1 to %1 events; this one has %2")
                                                    .arg(maxBatch).arg(bodies.size())));
    std::vector<Event> drafts;
    drafts.reserve(bodies.size());
    for (qsizetype i = 0; i < bodies.size(); ++i) {
        const QString where = QStringLiteral("event %1 of the batch: ").arg(i);
        if (!bodies.at(i).isObject())
            return done(failed(Failure::BadRequest, where + QStringLiteral("must be a JSON object")));
        PushRequest parsed = PushRequest::fromJson(bodies.at(i).toObject());
        if (!parsed.draft)
            return done(failed(Failure::BadRequest, where + parsed.error));
        if (parsed.dryRun)
            return done(failed(Failure::BadRequest, where + QStringLiteral("a dry run cannot be part of a batch")));
        if (m_hub->check(*parsed.draft).error != Hub::PublishError::None) {
            // Published alone, it is refused (and counted) as a single push would be.
            return m_hub->publish(std::move(*parsed.draft), [done, where](const Hub::PublishResult &refused) {
                done(failed(failureOf(refused.error), where + refused.message));
            });
        }
        drafts.push_back(std::move(*parsed.draft));
    }
    struct Batch
    {
        std::vector<QJsonObject> results;
        qsizetype pending = 0;
        QString error;
    };
    auto batch = std::make_shared<Batch>();
    batch->results.resize(drafts.size());
    batch->pending = qsizetype(drafts.size());
    for (size_t i = 0; i < drafts.size(); ++i) {
        m_hub->publishChecked(std::move(drafts[i]), [batch, i, done](const Hub::PublishResult &published) {
            if (published.error == Hub::PublishError::None) {
                batch->results[i] = answerOf(published);
            } else {
                batch->results[i] = {{QStringLiteral("error"), published.message}};
                if (batch->error.isEmpty())
                    batch->error = published.message;
            }
            if (--batch->pending > 0)
                return;
            QJsonArray events;
            for (const QJsonObject &result : batch->results)
                events.append(result);
            const QJsonObject answer{{QStringLiteral("events"), events}};
            done(batch->error.isEmpty() ? succeeded(answer) : Outcome{answer, Failure::Unavailable, batch->error});
        });
    }
}

void AdminOperations::preview(const Event &draft, Done done) const
{
    QJsonArray ids;
    for (const SseConnection *connection : m_hub->fanout().recipients(draft))
        ids.append(QString::number(connection->info().id));
    const auto answer = [](const QJsonArray &ids) {
        return QJsonObject{{QStringLiteral("wouldDeliver"), ids.size()}, {QStringLiteral("connections"), ids}};
    };
    if (!m_presence)
        return done(succeeded(answer(ids)));
    m_presence->listOthers([ids, draft, done, answer](const QJsonArray &others, const QString &error) mutable {
        for (const QJsonValue &value : others) {
            const std::optional<ConnectionRecord> record = ConnectionRecord::fromJson(value.toObject());
            if (record && record->wouldReceive(draft.name, draft.target))
                ids.append(record->id);
        }
        QJsonObject result = answer(ids);
        if (!error.isEmpty())
            result.insert(QStringLiteral("error"), QStringLiteral("other nodes not counted: ") + error);
        done(succeeded(result));
    });
}

AdminOperations::Outcome AdminOperations::reset() const
{
    if (!m_testMode)
        return failed(Failure::Forbidden,
                      QStringLiteral("reset clears the history: only on a hub started with --test-mode"));
    const int events = m_hub->bus().history().size;
    const int faults = m_faults ? m_faults->clear() : 0;
    const int closed = m_hub->fanout().reset();
    if (!m_hub->clearHistory())
        return failed(Failure::Unavailable, QStringLiteral("the history could not be cleared"));
    return succeeded({{QStringLiteral("connectionsClosed"), closed},
                      {QStringLiteral("eventsCleared"), events},
                      {QStringLiteral("faultsRemoved"), faults}});
}

AdminOperations::Outcome AdminOperations::eventStatus(const QString &eventId) const
{
    const std::optional<DeliveryLedger::Status> status = m_hub->fanout().deliveryStatus(eventId.toUtf8());
    if (!status)
        return failed(Failure::NotFound,
                      QStringLiteral("no delivery record of event '%1' on this node (the newest %2 events have one)")
                          .arg(eventId.left(64)).arg(DeliveryLedger::capacity));
    return succeeded({{QStringLiteral("id"), QString::fromLatin1(status->id)},
                      {QStringLiteral("delivered"), status->delivered()},
                      {QStringLiteral("queued"), status->queued},
                      {QStringLiteral("dropped"), status->dropped}});
}

AdminOperations::Outcome AdminOperations::pause(const QJsonObject &body) const
{
    QString error;
    const std::optional<PauseRequest> parsed = PauseRequest::fromJson(body, &error);
    if (!parsed)
        return failed(Failure::BadRequest, error);
    const int paused = m_hub->pause(parsed->delayMs, parsed->target, parsed->exceptGroups);
    return succeeded({{QStringLiteral("paused"), paused}, {QStringLiteral("delay"), parsed->delayMs}});
}

AdminOperations::Outcome AdminOperations::kick(const QString &connectionId) const
{
    bool ok = false;
    const quint64 number = connectionId.toULongLong(&ok);
    const Hub::KickResult result = ok ? m_hub->kick(number) : Hub::KickResult::Unknown;
    if (result == Hub::KickResult::Unknown)
        return failed(Failure::NotFound, QStringLiteral("no connection with id '%1'").arg(connectionId.left(64)));
    // Another node's stream: its node closes it when it reads the command.
    if (result == Hub::KickResult::Sent)
        return succeeded({{QStringLiteral("sent"), connectionId}});
    return succeeded({{QStringLiteral("closed"), connectionId}});
}

AdminOperations::Outcome AdminOperations::addFault(const QJsonObject &body) const
{
    if (!m_faults)
        return faultsOff();
    QString error;
    const std::optional<FaultRequest> request = FaultRequest::fromJson(body, &error);
    if (!request)
        return failed(Failure::BadRequest, error);
    const FaultInjector::Added added = m_faults->add(*request);
    if (!added.error.isEmpty())
        return failed(added.unknownConnection ? Failure::NotFound : Failure::BadRequest, added.error);
    return succeeded({{QStringLiteral("id"), added.id}, {QStringLiteral("affected"), added.affected}});
}

AdminOperations::Outcome AdminOperations::faults() const
{
    if (!m_faults)
        return faultsOff();
    return succeeded(m_faults->list());
}

AdminOperations::Outcome AdminOperations::removeFault(const QString &faultId) const
{
    if (!m_faults)
        return faultsOff();
    if (!m_faults->remove(faultId))
        return failed(Failure::NotFound, QStringLiteral("no fault with id '%1'").arg(faultId.left(64)));
    return succeeded({{QStringLiteral("removed"), faultId}});
}

AdminOperations::Outcome AdminOperations::trace(const QString &connectionId) const
{
    bool ok = false;
    const SseConnection *connection = m_hub->fanout().find(connectionId.toULongLong(&ok));
    if (!ok || !connection)
        return failed(Failure::NotFound, QStringLiteral("no connection with id '%1' on this node").arg(connectionId.left(64)));
    QJsonArray events;
    for (const SseConnection::Received &received : m_hub->fanout().trace(*connection, traceLength)) {
        events.append(QJsonObject{
            {QStringLiteral("id"), QString::fromLatin1(received.id)},
            {QStringLiteral("event"), received.name.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(received.name))},
            {QStringLiteral("bytes"), received.bytes},
            {QStringLiteral("at"), QDateTime::fromMSecsSinceEpoch(received.atMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("replayed"), received.replayed}});
    }
    return succeeded({{QStringLiteral("events"), events}});
}

QJsonObject AdminOperations::connections(const QString &user, const QString &group) const
{
    Target target;
    if (!user.isEmpty())
        target.users.append(user);
    else if (!group.isEmpty())
        target.groups.append(group);
    QJsonArray list;
    for (const SseConnection *connection : m_hub->fanout().connections(target)) {
        const Principal &principal = connection->info().principal;
        if (!group.isEmpty() && !principal.groupIds.contains(group) && !principal.groupNames.contains(group))
            continue;
        list.append(record(*connection).toJson());
    }
    return {{QStringLiteral("count"), list.size()}, {QStringLiteral("connections"), list}};
}

void AdminOperations::clusterConnections(const QString &user, const QString &group, JsonDone done) const
{
    QJsonObject local = connections(user, group);
    if (!m_presence)
        return done(local);
    QJsonArray list = local.value(QStringLiteral("connections")).toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        QJsonObject record = list[i].toObject();
        record.insert(QStringLiteral("node"), m_presence->nodeId());
        list[i] = record;
    }
    m_presence->listOthers([list, user, group, done](const QJsonArray &others, const QString &error) mutable {
        const auto contains = [](const QJsonValue &array, const QString &value) {
            return array.toArray().contains(QJsonValue(value));
        };
        for (const QJsonValue &value : others) {
            const QJsonObject record = value.toObject();
            if (!user.isEmpty() && record.value(QStringLiteral("userId")).toString() != user
                && record.value(QStringLiteral("userName")).toString() != user)
                continue;
            if (!group.isEmpty() && !contains(record.value(QStringLiteral("groups")), group)
                && !contains(record.value(QStringLiteral("groupIds")), group))
                continue;
            list.append(record);
        }
        QJsonObject result{{QStringLiteral("count"), list.size()}, {QStringLiteral("connections"), list}};
        if (!error.isEmpty())
            result.insert(QStringLiteral("error"), QStringLiteral("other nodes not listed: ") + error);
        done(result);
    });
}

void AdminOperations::nodes(JsonDone done) const
{
    if (!m_presence) {
        const QJsonObject self{{QStringLiteral("id"), QStringLiteral("standalone")},
                               {QStringLiteral("connections"), m_hub->fanout().connectionCount()}};
        return done({{QStringLiteral("nodes"), QJsonArray{self}}});
    }
    m_presence->listNodes([done](const QJsonArray &nodes, const QString &error) {
        QJsonObject result{{QStringLiteral("nodes"), nodes}};
        if (!error.isEmpty())
            result.insert(QStringLiteral("error"), QStringLiteral("other nodes not listed: ") + error);
        done(result);
    });
}

ConnectionRecord AdminOperations::record(const SseConnection &connection)
{
    const SseConnection::Info &info = connection.info();
    ConnectionRecord record;
    record.id = QString::number(info.id);
    record.session = info.principal.sessionId;
    record.userId = info.principal.userId;
    record.userName = info.principal.userName;
    record.groups = info.principal.groupNames;
    record.groupIds = info.principal.groupIds;
    record.remoteAddress = info.remoteAddress;
    record.userAgent = info.userAgent;
    record.protocol = QString::fromLatin1(info.protocol);
    for (const QByteArray &name : info.filter)
        record.filter.append(QString::fromUtf8(name));
    record.connectedAt = info.connectedAt;
    record.expiresAt = info.expiresAt;
    record.eventsSent = connection.eventsSent();
    record.bytesSent = connection.bytesSent();
    record.lastEventId = QString::fromLatin1(connection.lastEventId());
    if (const SseConnection::Resumed *resumed = connection.resumed()) {
        static const char *const vias[] = {"header", "query"};
        static const char *const statuses[] = {"exact", "too-old", "unknown"};
        record.resume.lastEventId = QString::fromUtf8(resumed->from);
        record.resume.via = QLatin1String(vias[int(resumed->via)]);
        record.resume.status = QLatin1String(statuses[int(resumed->status)]);
        record.resume.replayed = resumed->replayedCount;
    }
    return record;
}

QJsonObject AdminOperations::history(int limit) const
{
    const QList<Event> events = m_hub->bus().recent(qBound(0, limit, maxHistory));
    QJsonArray list;
    for (auto it = events.crbegin(); it != events.crend(); ++it)
        list.append(EventSummary::of(*it).toJson());
    return {{QStringLiteral("events"), list}};
}

QJsonObject AdminOperations::stats() const
{
    const FanoutStats &s = m_hub->fanout().stats();
    const Hub::Stats &published = m_hub->stats();
    const EventBus::HistoryStats history = m_hub->bus().history();
    return {{QStringLiteral("version"), QStringLiteral(ESH_VERSION)},
            {QStringLiteral("uptimeSeconds"), m_hub->uptimeMs() / 1000},
            {QStringLiteral("connections"), m_hub->fanout().connectionCount()},
            {QStringLiteral("connectionsOpened"), s.connectionsOpened},
            {QStringLiteral("connectionsRejected"), m_httpStats->streamsRejected},
            {QStringLiteral("eventsPublished"), published.eventsPublished},
            {QStringLiteral("eventsRejected"), published.eventsRejected},
            {QStringLiteral("eventsUnavailable"), published.eventsUnavailable},
            {QStringLiteral("deliveries"), s.deliveries},
            {QStringLiteral("bytesSent"), s.bytesSent},
            {QStringLiteral("replayedEvents"), s.replayedEvents},
            {QStringLiteral("resumeGaps"), s.resumeGaps},
            {QStringLiteral("droppedSlowConsumers"), s.slowConsumersDropped},
            {QStringLiteral("kicked"), s.kicked},
            {QStringLiteral("paused"), s.paused},
            {QStringLiteral("tokenExpired"), s.tokenExpired},
            {QStringLiteral("testFaults"), m_faults != nullptr},
            {QStringLiteral("testMode"), m_testMode},
            {QStringLiteral("limitHits"), QJsonObject{{QStringLiteral("headerSize"), m_httpStats->headerTooLarge},
                                                     {QStringLiteral("bodySize"), m_httpStats->bodyTooLarge},
                                                     {QStringLiteral("requestTimeout"), m_httpStats->requestTimeouts}}},
            {QStringLiteral("history"), QJsonObject{{QStringLiteral("size"), history.size},
                                                    {QStringLiteral("capacity"), history.capacity},
                                                    {QStringLiteral("bytes"), history.bytes},
                                                    {QStringLiteral("maxBytes"), history.maxBytes},
                                                    {QStringLiteral("writeErrors"), history.writeErrors},
                                                    {QStringLiteral("headId"), QString::fromLatin1(m_hub->bus().head())},
                                                    {QStringLiteral("persistent"), history.persistent}}}};
}
