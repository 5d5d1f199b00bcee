#include "hub.h"

#include "sseencoder.h"

#include <QLoggingCategory>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcHub, "eventsource.server.hub")

namespace {

// Events one stream's replay looks at per event-loop turn (most may be filtered out: this
// bounds the work, the byte budget bounds the memory).
constexpr int replayPageEvents = 256;

QByteArray gapFrame(EventLog::ResumeStatus status)
{
    const QByteArray data = status == EventLog::ResumeStatus::TooOld ? R"({"reason":"too-old"})"
                                                                     : R"({"reason":"unknown"})";
    return SseEncoder::event({}, Hub::gapEventName, data).value_or(QByteArray());
}

} // namespace

Hub::Hub(std::unique_ptr<EventLog> log, Options options, QObject *parent)
    : QObject(parent)
    , m_log(std::move(log))
    , m_options(options)
    , m_replayBudgetBytes(qMax<qint64>(1, options.maxBufferBytes / 2))
    , m_flushPool(options.sendThreads)
{
    m_uptime.start();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &Hub::flushPending);
    m_heartbeatTimer.setInterval(m_options.heartbeatMs);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Hub::sendHeartbeats);
    m_heartbeatTimer.start();
    m_expiryTimer.setSingleShot(true);
    connect(&m_expiryTimer, &QTimer::timeout, this, &Hub::closeExpired);
}

Hub::~Hub()
{
    // Streams are children; make sure none calls back into a half-destroyed hub.
    for (SseConnection *connection : m_registry.all())
        disconnect(connection, nullptr, this, nullptr);
    m_log->flush();
}

Hub::PublishResult Hub::push(const QByteArray &data, const Target &target)
{
    return pushEvent({}, data, target);
}

Hub::PublishResult Hub::pushEvent(const QByteArray &name, const QByteArray &data, const Target &target)
{
    Event draft;
    draft.name = name;
    draft.data = data;
    draft.target = target;
    return publish(std::move(draft));
}

Hub::PublishResult Hub::pushJson(const QByteArray &name, const QJsonValue &value, const Target &target)
{
    return pushEvent(name, Event::encodeJson(value), target);
}

Hub::PublishResult Hub::pushTargeted(const Target &target, const QByteArray &name, const QByteArray &data)
{
    // An empty list of recipients is nobody, not everyone.
    if (target.isBroadcast())
        return PublishResult{{}, 0, PublishError::InvalidTarget, QStringLiteral("no recipient given")};
    return pushEvent(name, data, target);
}

Hub::PublishResult Hub::pushEventToSessions(const QStringList &sessions, const QByteArray &name,
                                             const QByteArray &data)
{
    return pushTargeted(Target{sessions, {}, {}}, name, data);
}

Hub::PublishResult Hub::pushEventToUsers(const QStringList &users, const QByteArray &name,
                                         const QByteArray &data)
{
    return pushTargeted(Target{{}, users, {}}, name, data);
}

Hub::PublishResult Hub::pushEventToGroups(const QStringList &groups, const QByteArray &name,
                                          const QByteArray &data)
{
    return pushTargeted(Target{{}, {}, groups}, name, data);
}

Hub::PublishResult Hub::pushEventToPrincipal(const Principal &principal, const QByteArray &name,
                                             const QByteArray &data)
{
    Target target;
    if (!principal.userId.isEmpty())
        target.users.append(principal.userId);
    else if (!principal.sessionId.isEmpty())
        target.sessions.append(principal.sessionId);
    return pushTargeted(target, name, data);
}

int Hub::pause(int delayMs, const Target &target, const QStringList &exceptGroups)
{
    const QByteArray retry = SseEncoder::retry(delayMs);
    int paused = 0;
    for (SseConnection *connection : m_registry.addressed(target)) {
        const Principal &principal = connection->info().principal;
        const bool spared = std::any_of(exceptGroups.begin(), exceptGroups.end(), [&](const QString &group) {
            return principal.groupIds.contains(group) || principal.groupNames.contains(group);
        });
        if (spared)
            continue;
        connection->enqueue(retry);
        connection->close(SseConnection::CloseReason::Paused);
        ++paused;
    }
    m_stats.paused += paused;
    return paused;
}

int Hub::closeSession(const QString &sessionId)
{
    const QList<SseConnection *> streams = m_registry.addressed(Target{{sessionId}, {}, {}});
    for (SseConnection *connection : streams)
        connection->close(SseConnection::CloseReason::SessionChanged);
    return int(streams.size());
}

Hub::PublishResult Hub::publish(Event draft)
{
    const auto refuse = [this](PublishError error, QString message) {
        ++m_stats.eventsRejected;
        if (error == PublishError::TooLarge)
            ++m_stats.eventsTooLarge;
        return PublishResult{{}, 0, error, std::move(message)};
    };
    if (const QString error = Event::nameError(draft.name); !error.isEmpty())
        return refuse(PublishError::InvalidName, error);
    if (draft.data.contains('\0'))
        return refuse(PublishError::InvalidData, QStringLiteral("data must not contain NUL"));
    if (draft.data.size() > m_options.maxEventBytes)
        return refuse(PublishError::TooLarge,
                      QStringLiteral("event data is %1 bytes; the limit is %2")
                          .arg(draft.data.size()).arg(m_options.maxEventBytes));

    const Event event = m_log->append(std::move(draft));
    int delivered = 0;
    for (SseConnection *connection : m_registry.recipients(event)) {
        // A replaying stream reads this event from the history in its turn.
        if (connection->isReplaying())
            continue;
        connection->enqueueEvent(event);
        schedule(connection);
        ++delivered;
    }
    ++m_stats.eventsPublished;
    m_stats.deliveries += delivered;
    Q_EMIT eventPublished(event, delivered);
    return PublishResult{event.id, delivered, PublishError::None, {}};
}

SseConnection *Hub::open(StreamRequest request, int descriptor)
{
    auto *connection = new SseConnection(std::move(request.info), descriptor,
                                         m_options.maxBufferBytes, this);
    connection->start(request.headers);
    QByteArray preamble = SseEncoder::retry(m_options.retryMs);
    if (m_options.initialPadding > 0)
        preamble += ':' + QByteArray(m_options.initialPadding, ' ') + "\n\n";
    connection->enqueue(preamble);
    connect(connection, &SseConnection::closed, this, &Hub::handleConnectionClosed);
    connect(connection, &SseConnection::replayDrained, this, &Hub::continueReplay);
    m_registry.add(connection);
    watchExpiry(connection);
    ++m_stats.connectionsOpened;
    if (request.lastEventId) {
        const EventLog::ResumeStatus status = m_log->replaySince(*request.lastEventId, 0).status;
        if (status != EventLog::ResumeStatus::Exact) {
            ++m_stats.resumeGaps;
            connection->enqueue(gapFrame(status));
        }
        // Unknown or too old: everything retained, from before the oldest id.
        connection->setReplayCursor(status == EventLog::ResumeStatus::Exact ? *request.lastEventId : QByteArray());
        continueReplay(connection);
    } else {
        // Tell the client where it stands even if nothing was sent: a reconnect then resumes
        // from here instead of missing what is published meanwhile.
        connection->enqueueIdUpdate(m_log->headId());
    }
    schedule(connection);
    Q_EMIT connectionOpened(connection);
    return connection;
}

void Hub::continueReplay(SseConnection *connection)
{
    if (!connection->isReplaying() || connection->isFinished())
        return;
    const qint64 queuedBefore = connection->unsent();
    const EventLog::Replay page = m_log->replaySince(connection->replayCursor(), replayPageEvents);
    // Events dropped from the history while this stream was still reading it: say so, then
    // go on with what is retained.
    if (page.status != EventLog::ResumeStatus::Exact && !connection->replayCursor().isEmpty()) {
        ++m_stats.resumeGaps;
        connection->enqueue(gapFrame(page.status));
    }
    qsizetype looked = 0;
    for (const Event &event : page.events) {
        const qint64 queued = connection->unsent();
        if (queued > 0 && queued + event.frame.size() > m_replayBudgetBytes)
            break;
        ++looked;
        connection->setReplayCursor(event.id);
        if (!connection->acceptsName(event.name) || !m_log->mayReach(event, connection->info().principal))
            continue;
        connection->enqueueEvent(event);
        ++m_stats.replayedEvents;
    }
    if (page.complete && looked == page.events.size()) {
        // Caught up: live events reach it from now on. Its last id is the head's, so a
        // reconnect does not look at the same history again.
        const QByteArray head = m_log->headId();
        connection->finishReplay();
        if (connection->lastEventId() != head)
            connection->enqueueIdUpdate(head);
    }
    if (connection->unsent() != queuedBefore || !connection->isReplaying())
        schedule(connection);
}

bool Hub::kick(quint64 connectionId)
{
    SseConnection *connection = m_registry.find(connectionId);
    if (!connection)
        return false;
    ++m_stats.kicked;
    connection->close(SseConnection::CloseReason::Kicked);
    return true;
}

void Hub::shutdown()
{
    m_shuttingDown = true;
    m_heartbeatTimer.stop();
    m_log->flush();
    const QByteArray finalRetry = SseEncoder::retry(m_options.retryMs);
    const QList<SseConnection *> all = m_registry.all();
    for (SseConnection *connection : all) {
        connection->enqueue(finalRetry);
        connection->close(SseConnection::CloseReason::Shutdown);
    }
    if (m_registry.size() == 0)
        QTimer::singleShot(0, this, &Hub::drained);
}

void Hub::schedule(SseConnection *connection)
{
    m_pending.insert(connection);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Hub::flushPending()
{
    const QSet<SseConnection *> pending = std::exchange(m_pending, {});
    const std::vector<SseConnection *> batch(pending.cbegin(), pending.cend());
    m_stats.bytesSent += m_flushPool.flush(batch);
    // Closing (a failed send, a slow consumer) emits signals: back on this thread only.
    for (SseConnection *connection : batch)
        connection->settle();
    // Replays whose bytes the kernel took at once go on next turn; the others when drained.
    for (SseConnection *connection : batch) {
        if (connection->isReplaying() && connection->unsent() < m_replayBudgetBytes)
            continueReplay(connection);
    }
}

void Hub::sendHeartbeats()
{
    const QByteArray head = m_log->headId();
    const QList<Event> newest = m_log->recent(1);
    const QByteArray comment = ":\n";
    for (SseConnection *connection : m_registry.all()) {
        if (connection->takeActivity())
            continue;
        connection->enqueue(comment);
        // Idle streams that missed filtered or targeted events also learn the head id, so a
        // resume never asks for an id the log has long dropped; but only when the newest
        // event is one this stream may see, or the id would count others' private events.
        const bool headVisible = !newest.isEmpty() && connection->info().principal.isAddressedBy(newest.first().target);
        if (!connection->isReplaying() && headVisible && connection->lastEventId() != head)
            connection->enqueueIdUpdate(head);
        else
            connection->enqueue("\n");
        connection->takeActivity();
        schedule(connection);
    }
}

void Hub::watchExpiry(SseConnection *connection)
{
    const QDateTime expiresAt = connection->info().expiresAt;
    if (!expiresAt.isValid())
        return;
    m_expiries.insert(expiresAt, connection->info().id);
    if (m_expiries.firstKey() == expiresAt)
        armExpiryTimer();
}

void Hub::armExpiryTimer()
{
    if (m_expiries.isEmpty())
        return;
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(m_expiries.firstKey());
    m_expiryTimer.start(int(std::clamp<qint64>(wait, 0, INT_MAX)));
}

void Hub::closeExpired()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    while (!m_expiries.isEmpty() && m_expiries.firstKey() <= now) {
        const quint64 id = m_expiries.first();
        m_expiries.erase(m_expiries.begin());
        if (SseConnection *connection = m_registry.find(id)) {
            ++m_stats.tokenExpired;
            connection->close(SseConnection::CloseReason::TokenExpired);
        }
    }
    armExpiryTimer();
}

void Hub::handleConnectionClosed(SseConnection *connection, SseConnection::CloseReason reason)
{
    if (const QDateTime expiresAt = connection->info().expiresAt; expiresAt.isValid())
        m_expiries.remove(expiresAt, connection->info().id);
    m_registry.remove(connection);
    m_pending.remove(connection);
    if (reason == SseConnection::CloseReason::SlowConsumer)
        ++m_stats.slowConsumersDropped;
    Q_EMIT connectionClosed(connection->info().id, reason);
    if (m_shuttingDown && m_registry.size() == 0)
        Q_EMIT drained();
}
