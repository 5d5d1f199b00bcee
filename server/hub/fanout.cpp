#include "fanout.h"

#include "sseencoder.h"

#include <QLoggingCategory>
#include <QPointer>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcFanout, "eventsource.server.fanout")

namespace {

// Events one stream's replay looks at per event-loop turn (most may be filtered out: this
// bounds the work, the byte budget bounds the memory).
constexpr int replayPageEvents = 256;

QByteArray gapFrame(EventLog::ResumeStatus status)
{
    const QByteArray data = status == EventLog::ResumeStatus::TooOld ? R"({"reason":"too-old"})"
                                                                     : R"({"reason":"unknown"})";
    return SseEncoder::event({}, Fanout::gapEventName, data).value_or(QByteArray());
}

} // namespace

Fanout::Fanout(EventBus *bus, Options options, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
    , m_options(options)
    , m_replayBudgetBytes(qMax<qint64>(1, options.maxBufferBytes / 2))
    , m_flushPool(options.sendThreads)
{
    connect(m_bus, &EventBus::committed, this, &Fanout::deliver);
    connect(m_bus, &EventBus::commandReceived, this, &Fanout::apply);
    connect(m_bus, &EventBus::eventsLost, this, &Fanout::signalLoss);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &Fanout::flushPending);
    m_heartbeatTimer.setInterval(m_options.heartbeatMs);
    connect(&m_heartbeatTimer, &QTimer::timeout, this, &Fanout::sendHeartbeats);
    m_heartbeatTimer.start();
    m_expiryTimer.setSingleShot(true);
    connect(&m_expiryTimer, &QTimer::timeout, this, &Fanout::closeExpired);
}

Fanout::~Fanout()
{
    // Streams are children; make sure none calls back into a half-destroyed fan-out.
    for (SseConnection *connection : m_registry.all())
        disconnect(connection, nullptr, this, nullptr);
}

int Fanout::deliver(const Event &event)
{
    int delivered = 0;
    const quint32 ticket = m_ledger.open(event);
    for (SseConnection *connection : m_registry.recipients(event)) {
        // A replaying stream reads this event from the history in its turn.
        if (connection->isReplaying())
            continue;
        enqueueEvent(connection, event, ticket);
        schedule(connection);
        ++delivered;
    }
    m_ledger.setRecipients(ticket, delivered);
    m_stats.deliveries += delivered;
    Q_EMIT eventDelivered(event, delivered);
    return delivered;
}

int Fanout::pause(int delayMs, const Target &target, const QStringList &exceptGroups)
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

void Fanout::setNodeNumber(quint64 number)
{
    m_nodeNumber = number;
    for (SseConnection *connection : m_registry.all()) {
        const quint64 oldId = connection->info().id;
        if (oldId >> nodeShift != 0)
            continue;
        // The low bits are the node's own counter, unique on this node: with the node's
        // number on top the id is unique in the cluster.
        const quint64 id = (number << nodeShift) | oldId;
        m_registry.changeId(connection, id);
        if (const QDateTime expiresAt = connection->info().expiresAt; expiresAt.isValid()) {
            m_expiries.remove(expiresAt, oldId);
            m_expiries.insert(expiresAt, id);
        }
        Q_EMIT connectionRenumbered(oldId, connection);
    }
}

bool Fanout::kick(quint64 connectionId)
{
    SseConnection *connection = m_registry.find(connectionId);
    if (!connection)
        return false;
    ++m_stats.kicked;
    connection->close(SseConnection::CloseReason::Kicked);
    return true;
}

int Fanout::closeSession(const QString &sessionId)
{
    const QList<SseConnection *> streams = m_registry.addressed(Target{{sessionId}, {}, {}});
    for (SseConnection *connection : streams)
        connection->close(SseConnection::CloseReason::SessionChanged);
    return int(streams.size());
}

void Fanout::apply(const EventBus::Command &command)
{
    switch (command.kind) {
    case EventBus::Command::Kind::Kick:
        kick(command.connectionId);
        return;
    case EventBus::Command::Kind::Pause:
        pause(command.delayMs, command.target, command.exceptGroups);
        return;
    case EventBus::Command::Kind::CloseSession:
        closeSession(command.sessionId);
        return;
    case EventBus::Command::Kind::SessionAdded:
    case EventBus::Command::Kind::SessionRemoved:
        return; // for the session store, not for streams
    }
}

void Fanout::signalLoss()
{
    const QByteArray gap = gapFrame(EventLog::ResumeStatus::TooOld);
    for (SseConnection *connection : m_registry.all()) {
        // A replaying stream reads past the hole in the history and is told then.
        if (connection->isReplaying())
            continue;
        connection->enqueue(gap);
        ++m_stats.resumeGaps;
        schedule(connection);
    }
}

SseConnection *Fanout::open(StreamRequest request, std::unique_ptr<StreamSink> sink)
{
    request.info.id = (m_nodeNumber << nodeShift) + ++m_lastConnectionId;
    auto *connection = new SseConnection(std::move(request.info), std::move(sink), m_options.maxBufferBytes, this);
    QByteArray preamble = SseEncoder::retry(m_options.retryMs);
    if (m_options.initialPadding > 0)
        preamble += ':' + QByteArray(m_options.initialPadding, ' ') + "\n\n";
    connection->enqueue(preamble);
    connect(connection, &SseConnection::closed, this, &Fanout::handleConnectionClosed);
    connect(connection, &SseConnection::replayDrained, this, &Fanout::continueReplay);
    connection->resetTickets(m_ledger.current());
    m_registry.add(connection);
    watchExpiry(connection);
    ++m_stats.connectionsOpened;
    if (request.lastEventId) {
        // The first page tells whether the id resumes exactly (continueReplay()).
        connection->markResumed(*request.lastEventId, request.lastEventIdVia);
        connection->setReplayCursor(*request.lastEventId);
        continueReplay(connection);
    } else {
        // Tell the client where it stands even if nothing was sent: a reconnect then resumes
        // from here instead of missing what is published meanwhile. (A bus that has not
        // reached its history yet has no head: an empty id would make the client forget.)
        if (const QByteArray head = m_bus->head(); !head.isEmpty())
            connection->enqueueIdUpdate(head);
    }
    schedule(connection);
    Q_EMIT connectionOpened(connection);
    return connection;
}

void Fanout::continueReplay(SseConnection *connection)
{
    if (!connection->isReplaying() || connection->isFinished() || m_replayAsked.contains(connection))
        return;
    m_replayAsked.insert(connection);
    const QPointer<SseConnection> guard(connection);
    m_bus->replay(connection->replayCursor(), replayPageEvents, [this, guard](const EventLog::Replay &page) {
        if (!guard)
            return;
        m_replayAsked.remove(guard.data());
        replayPage(guard.data(), page);
    });
}

void Fanout::replayPage(SseConnection *connection, const EventLog::Replay &page)
{
    if (!connection->isReplaying() || connection->isFinished())
        return;
    const qint64 queuedBefore = connection->unsent();
    // The id sent is unknown or too old, or events were dropped from the history while this
    // stream was still reading it: say so, then go on with everything retained.
    if (page.status != EventLog::ResumeStatus::Exact && !connection->replayCursor().isEmpty()) {
        ++m_stats.resumeGaps;
        connection->enqueue(gapFrame(page.status));
        connection->setResumeStatus(page.status == EventLog::ResumeStatus::TooOld ? SseConnection::ResumeStatus::TooOld
                                                                                  : SseConnection::ResumeStatus::Unknown);
        connection->setReplayCursor({});
    }
    qsizetype looked = 0;
    for (const Event &event : page.events) {
        const qint64 queued = connection->unsent();
        if (queued > 0 && queued + event.frame.size() > m_replayBudgetBytes)
            break;
        ++looked;
        connection->setReplayCursor(event.id);
        if (!connection->acceptsName(event.name) || !m_bus->mayReach(event, connection->info().principal))
            continue;
        connection->enqueueEvent(event);
        connection->noteReplayed(event);
        ++m_stats.replayedEvents;
    }
    if (page.complete && looked == page.events.size()) {
        // Caught up: live events reach it from now on. Its last id is the head's, so a
        // reconnect does not look at the same history again.
        const QByteArray head = m_bus->head();
        connection->finishReplay();
        connection->resetTickets(m_ledger.current());
        if (!head.isEmpty() && connection->lastEventId() != head)
            connection->enqueueIdUpdate(head);
    }
    if (connection->unsent() != queuedBefore || !connection->isReplaying())
        schedule(connection);
}

void Fanout::shutdown()
{
    m_shuttingDown = true;
    m_heartbeatTimer.stop();
    const QByteArray finalRetry = SseEncoder::retry(m_options.retryMs);
    const QList<SseConnection *> all = m_registry.all();
    for (SseConnection *connection : all) {
        connection->enqueue(finalRetry);
        connection->close(SseConnection::CloseReason::Shutdown);
    }
    if (m_registry.size() == 0)
        QTimer::singleShot(0, this, &Fanout::drained);
}

void Fanout::enqueueEvent(SseConnection *connection, const Event &event, quint32 ticket)
{
    const quint8 applied = connection->enqueueEvent(event);
    if (applied & SseConnection::CutNext)
        m_ledger.addDropped(ticket);
    else
        connection->setQueuedTicket(ticket);
    if (applied == 0)
        return;
    m_stats.faultCuts += (applied & SseConnection::CutNext) ? 1 : 0;
    m_stats.faultDuplicates += (applied & SseConnection::DuplicateNext) ? 1 : 0;
    m_stats.faultMalformed += (applied & SseConnection::MalformedNext) ? 1 : 0;
}

std::vector<SseConnection::Received> Fanout::trace(const SseConnection &connection, int limit) const
{
    std::vector<SseConnection::Received> events;
    if (const SseConnection::Resumed *resumed = connection.resumed())
        events = resumed->replayed;
    const std::vector<SseConnection::Received> live = m_ledger.received(connection, limit);
    events.insert(events.end(), live.begin(), live.end());
    if (int(events.size()) > limit)
        events.erase(events.begin(), events.end() - limit);
    return events;
}

void Fanout::setStalled(SseConnection *connection, bool stalled)
{
    connection->setStalled(stalled);
    if (!stalled && connection->hasPending())
        schedule(connection);
}

int Fanout::reset()
{
    const QList<SseConnection *> all = m_registry.all();
    for (SseConnection *connection : all)
        connection->close(SseConnection::CloseReason::Reset);
    m_ledger.clear();
    return int(all.size());
}

void Fanout::schedule(SseConnection *connection)
{
    m_pending.insert(connection);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void Fanout::flushPending()
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

void Fanout::sendHeartbeats()
{
    const QByteArray head = m_bus->head();
    const QList<Event> newest = m_bus->recent(1);
    const QByteArray comment = ":\n";
    for (SseConnection *connection : m_registry.all()) {
        if (connection->takeActivity())
            continue;
        connection->enqueue(comment);
        // Idle streams that missed filtered or targeted events also learn the head id, so a
        // resume never asks for an id the log has long dropped; but only when the newest
        // event is one this stream may see, or the id would count others' private events.
        const bool headVisible = !newest.isEmpty() && connection->info().principal.isAddressedBy(newest.first().target);
        if (!connection->isReplaying() && headVisible && !head.isEmpty() && connection->lastEventId() != head)
            connection->enqueueIdUpdate(head);
        else
            connection->enqueue("\n");
        connection->takeActivity();
        schedule(connection);
    }
}

void Fanout::watchExpiry(SseConnection *connection)
{
    const QDateTime expiresAt = connection->info().expiresAt;
    if (!expiresAt.isValid())
        return;
    m_expiries.insert(expiresAt, connection->info().id);
    if (m_expiries.firstKey() == expiresAt)
        armExpiryTimer();
}

void Fanout::armExpiryTimer()
{
    if (m_expiries.isEmpty())
        return;
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(m_expiries.firstKey());
    m_expiryTimer.start(int(std::clamp<qint64>(wait, 0, INT_MAX)));
}

void Fanout::closeExpired()
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

void Fanout::handleConnectionClosed(SseConnection *connection, SseConnection::CloseReason reason)
{
    if (const QDateTime expiresAt = connection->info().expiresAt; expiresAt.isValid())
        m_expiries.remove(expiresAt, connection->info().id);
    m_ledger.streamClosed(*connection);
    m_registry.remove(connection);
    m_pending.remove(connection);
    m_replayAsked.remove(connection);
    if (reason == SseConnection::CloseReason::SlowConsumer)
        ++m_stats.slowConsumersDropped;
    Q_EMIT connectionClosed(connection->info().id, reason);
    if (m_shuttingDown && m_registry.size() == 0)
        Q_EMIT drained();
}
