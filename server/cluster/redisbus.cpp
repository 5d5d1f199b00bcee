#include "redisbus.h"

#include "commandentry.h"
#include "eventid.h"
#include "sseencoder.h"
#include "streamentry.h"
#include "streamreplay.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRedisBus, "eventsource.server.cluster")

namespace {

constexpr int readBatch = 1000;
constexpr int commandsKept = 1000;
// Publishes sent to Redis and not answered yet: a slow Redis must not grow this without end.
constexpr int maxPublishesInFlight = 10000;
constexpr int blockMs = 5000;
constexpr int deadlineCheckMs = 50;
constexpr int lagCheckMs = 1000;
constexpr char maxSeq[] = "18446744073709551615";

// The XREAD start that reads an epoch from its first entry.
QByteArray beforeEpoch(qint64 epochMs)
{
    return QByteArray::number(epochMs - 1) + '-' + maxSeq;
}

// The id of the entry an XREVRANGE ... COUNT 1 answered; empty when the stream has none.
QByteArray newestEntryId(const RedisReply &reply)
{
    if (reply.elements.isEmpty() || reply.elements.first().elements.isEmpty())
        return {};
    return reply.elements.first().elements.first().string;
}

// Stores the epoch once: the time, or later than the newest entry if the clock is behind it.
const QByteArray epochScript = R"lua(
local epoch = redis.call('GET', KEYS[1])
if epoch then return epoch end
local now = tonumber(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if last[1] then
  local ms = tonumber(string.match(last[1][1], '^(%d+)'))
  if ms >= now then now = ms + 1 end
end
epoch = string.format('%d', now)
redis.call('SET', KEYS[1], epoch)
return epoch
)lua";

// Appends an event to the stream of the epoch the node knows, or refuses if it changed.
const QByteArray publishScript = R"lua(
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then return redis.error_reply('EPOCH ' .. tostring(epoch)) end
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], ARGV[1] .. '-*', unpack(ARGV, 3))
)lua";

// The newest entry and a page of entries from ARGV[1].
const QByteArray replayScript = R"lua(
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
return {last, redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])}
)lua";

} // namespace

RedisBus::RedisBus(Options options, QObject *parent)
    : EventBus(parent)
    , m_options(std::move(options))
    , m_commands({m_options.url, m_options.timeoutMs, QStringLiteral("redis publisher")})
    , m_reader({m_options.url, m_options.timeoutMs, QStringLiteral("redis reader")})
    , m_recent(m_options.capacity, m_options.maxBytes)
{
    m_clock.start();
    connect(&m_commands, &RedisConnection::ready, this, &RedisBus::learnEpoch);
    connect(&m_reader, &RedisConnection::ready, this, [this] {
        if (m_readFrom.isEmpty())
            join();
        else if (m_commandsFrom.isEmpty())
            joinCommands();
        else
            readNext();
    });
    connect(&m_reader, &RedisConnection::lost, this, [this] { m_caughtUp = false; });
    m_deadlineTimer.setInterval(deadlineCheckMs);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &RedisBus::checkDeadlines);
    m_lagTimer.setInterval(lagCheckMs);
    connect(&m_lagTimer, &QTimer::timeout, this, &RedisBus::measureLag);
}

RedisBus::~RedisBus() = default;

void RedisBus::start()
{
    m_commands.open();
    m_reader.open();
    m_lagTimer.start();
}

void RedisBus::measureLag()
{
    if (!m_commands.isReady() || m_epochMs == 0 || m_readFrom.isEmpty())
        return;
    // How far the newest entry is ahead of what this node has read (and delivered).
    m_commands.command({"XREVRANGE", key("events"), "+", "-", "COUNT", "1"}, [this](const RedisReply &reply) {
        const auto last = reply.isError() ? std::nullopt : StreamEntry::parseId(newestEntryId(reply));
        if (!last || last->first != m_epochMs)
            return;
        m_stats.lagEvents = last->second + 1 > headSeq() ? qint64(last->second + 1 - headSeq()) : 0;
    });
}

void RedisBus::learnEpoch()
{
    m_commands.command({"EVAL", epochScript, "2", key("epoch"), key("events"),
                        QByteArray::number(QDateTime::currentMSecsSinceEpoch())},
                       [this](const RedisReply &reply) {
        bool ok = false;
        const qint64 epochMs = reply.string.toLongLong(&ok);
        if (reply.type != RedisReply::Type::String || !ok || epochMs <= 0) {
            if (!reply.transport) {
                qCWarning(lcRedisBus).nospace() << "cannot read the history's epoch: " << reply.string;
                QTimer::singleShot(1000, this, &RedisBus::learnEpoch);
            }
            return;
        }
        adoptEpoch(epochMs);
        if (m_reader.isReady() && m_readFrom.isEmpty())
            join();
        resumeDeferred(); // replays that waited for Redis
    });
}

void RedisBus::adoptEpoch(qint64 epochMs)
{
    if (epochMs == m_epochMs)
        return;
    if (m_epochMs != 0)
        qCWarning(lcRedisBus).nospace() << "the shared history was reset (epoch " << m_epochMs << " -> " << epochMs
                                        << "): ids of the old one resume as unknown";
    const bool joined = !m_readFrom.isEmpty();
    m_epochMs = epochMs;
    m_recent = RingEventLog(m_options.capacity, m_options.maxBytes);
    m_readSeq.reset();
    m_lastWrittenSeq = 0;
    m_head = StreamEntry::epochText(epochMs) + "-0";
    // Read the new epoch from its first entry (the old one's are skipped).
    if (joined)
        m_readFrom = beforeEpoch(epochMs);
}

void RedisBus::join()
{
    if (m_epochMs == 0 || !m_readFrom.isEmpty())
        return;
    m_reader.command({"XREVRANGE", key("events"), "+", "-", "COUNT", "1"}, [this](const RedisReply &reply) {
        if (reply.isError()) {
            if (!reply.transport) {
                qCWarning(lcRedisBus).nospace() << "cannot read the stream: " << reply.string;
                QTimer::singleShot(1000, this, &RedisBus::join);
            }
            return;
        }
        if (!m_readFrom.isEmpty())
            return;
        m_readFrom = beforeEpoch(m_epochMs);
        const std::optional<std::pair<qint64, quint64>> last = StreamEntry::parseId(newestEntryId(reply));
        if (last && last->first == m_epochMs) {
            m_readFrom = StreamEntry::redisId(last->first, last->second);
            m_readSeq = last->second;
            m_head = StreamEntry::eventId(last->first, last->second);
        }
        joinCommands();
    });
}

void RedisBus::joinCommands()
{
    m_reader.command({"XREVRANGE", key("commands"), "+", "-", "COUNT", "1"}, [this](const RedisReply &reply) {
        if (reply.isError()) {
            if (!reply.transport) {
                qCWarning(lcRedisBus).nospace() << "cannot read the command stream: " << reply.string;
                QTimer::singleShot(1000, this, &RedisBus::joinCommands);
            }
            return;
        }
        m_commandsFrom = newestEntryId(reply);
        if (m_commandsFrom.isEmpty())
            m_commandsFrom = "0-0";
        qCInfo(lcRedisBus).nospace() << "joined the cluster history epoch=" << StreamEntry::epochText(m_epochMs)
                                     << " head=" << m_head << " node=" << m_options.nodeId;
        readNext();
        takeNodeNumber();
    });
}

void RedisBus::takeNodeNumber()
{
    if (m_nodeNumber != 0)
        return;
    m_commands.command({"INCR", key("node-counter")}, [this](const RedisReply &reply) {
        if (reply.type != RedisReply::Type::Integer || reply.integer <= 0) {
            if (!reply.transport)
                qCWarning(lcRedisBus).nospace() << "no node number: " << reply.string;
            return; // taken at the next join
        }
        // Ids carry 24 bits of node number: a counter past them wraps, still unique among
        // the nodes alive at once.
        m_nodeNumber = quint64(reply.integer - 1) % ((quint64(1) << 24) - 1) + 1;
        qCInfo(lcRedisBus).nospace() << "node " << m_options.nodeId << " has number " << m_nodeNumber;
        Q_EMIT joined(m_nodeNumber);
    });
}

void RedisBus::readNext()
{
    if (m_reading || m_verifying || m_readFrom.isEmpty() || m_commandsFrom.isEmpty() || !m_reader.isReady())
        return;
    m_reading = true;
    m_reader.command({"XREAD", "COUNT", QByteArray::number(readBatch), "BLOCK", QByteArray::number(blockMs),
                      "STREAMS", key("events"), key("commands"), m_readFrom, m_commandsFrom},
                     [this](const RedisReply &reply) { handleRead(reply); }, blockMs);
}

void RedisBus::handleRead(const RedisReply &reply)
{
    m_reading = false;
    if (reply.transport) {
        m_caughtUp = false;
        return; // ready() starts reading again
    }
    if (reply.isError()) {
        m_caughtUp = false;
        qCWarning(lcRedisBus).nospace() << "cannot read the stream: " << reply.string;
        QTimer::singleShot(1000, this, &RedisBus::readNext);
        return;
    }
    qsizetype read = 0;
    const QByteArray events = key("events");
    for (const RedisReply &stream : reply.elements) {
        if (stream.elements.size() != 2)
            continue;
        const bool isEvents = stream.elements[0].string == events;
        for (const RedisReply &entry : stream.elements[1].elements) {
            if (!isEvents) {
                applyCommand(entry);
                continue;
            }
            if (!deliver(entry)) {
                m_caughtUp = false;
                return; // verifyEpoch() reads on
            }
            ++read;
        }
    }
    m_caughtUp = read < readBatch;
    readNext();
}

bool RedisBus::deliver(const RedisReply &entry)
{
    QString error;
    const std::optional<StreamEntry> decoded = StreamEntry::decode(entry, &error);
    if (!decoded) {
        ++m_stats.malformedEntries;
        qCWarning(lcRedisBus).nospace() << "stream entry skipped: " << error;
        // Read on past it, never deliver it (and it is no gap in this epoch's numbers).
        const auto id = entry.elements.isEmpty() ? std::nullopt : StreamEntry::parseId(entry.elements.first().string);
        if (id) {
            m_readFrom = entry.elements.first().string;
            if (id->first == m_epochMs && headSeq() <= id->second)
                m_readSeq = id->second;
        }
        return true;
    }
    if (decoded->epochMs > m_epochMs) {
        // A later epoch: another node found the history reset first, or another program
        // wrote into the stream. Only the epoch key tells: read no further until it has.
        verifyEpoch(StreamEntry::redisId(decoded->epochMs, decoded->redisSeq), decoded->epochMs);
        return false;
    }
    m_readFrom = StreamEntry::redisId(decoded->epochMs, decoded->redisSeq);
    if (decoded->epochMs < m_epochMs)
        return true; // left over from an epoch before this one
    const quint64 expected = headSeq();
    if (decoded->redisSeq > expected) {
        m_stats.missedEntries += qint64(decoded->redisSeq - expected);
        qCWarning(lcRedisBus).nospace() << "events trimmed from the stream before this node read them: "
                                        << decoded->redisSeq - expected;
        Q_EMIT eventsLost();
    }
    m_readSeq = decoded->redisSeq;
    m_head = decoded->event.id;
    m_recent.commit({decoded->event});
    Q_EMIT committed(decoded->event);
    answerAwaiting(decoded->event.id);
    resumeDeferred();
    return true;
}

void RedisBus::verifyEpoch(const QByteArray &entryId, qint64 epochMs)
{
    m_verifying = true;
    m_commands.command({"GET", key("epoch")}, [this, entryId, epochMs](const RedisReply &reply) {
        m_verifying = false;
        if (reply.transport) {
            // Asked again when the reader meets the entry again: not at once, the publisher
            // connection may be down for seconds (its backoff).
            QTimer::singleShot(200, this, &RedisBus::readNext);
            return;
        }
        if (reply.string.toLongLong() == epochMs) {
            adoptEpoch(epochMs); // reads the new epoch from its first entry
        } else {
            ++m_stats.malformedEntries;
            qCWarning(lcRedisBus).nospace() << "stream entry " << entryId << " is of no epoch of this history "
                                            << "(another program writes into " << key("events") << "?): skipped";
            m_readFrom = entryId;
        }
        readNext();
    });
}

void RedisBus::resumeDeferred()
{
    // Replays that waited for this node to read as far as their id; the others keep their
    // deadline (an id from the future must not wait longer because events keep coming).
    if (m_deferred.empty() || !m_commands.isReady() || m_epochMs == 0)
        return;
    const QByteArray epoch = StreamEntry::epochText(m_epochMs);
    std::vector<DeferredReplay> ready = takeDeferred([this, &epoch](const DeferredReplay &replay) {
        const std::optional<EventId> id = EventId::parse(replay.after);
        return !id || id->epoch != epoch || id->seq <= headSeq();
    });
    for (DeferredReplay &replay : ready)
        runReplay(replay.after, replay.maxEvents, std::move(replay.done));
    if (!m_deferred.empty())
        m_deadlineTimer.start(); // the others run at their deadline at the latest
}

std::vector<RedisBus::DeferredReplay> RedisBus::takeDeferred(const std::function<bool(const DeferredReplay &)> &pass)
{
    std::vector<DeferredReplay> taken;
    for (auto it = m_deferred.begin(); it != m_deferred.end();) {
        if (pass(*it)) {
            taken.push_back(std::move(*it));
            it = m_deferred.erase(it);
        } else {
            ++it;
        }
    }
    return taken;
}

void RedisBus::applyCommand(const RedisReply &entry)
{
    if (!entry.elements.isEmpty())
        m_commandsFrom = entry.elements.first().string;
    QString error;
    const std::optional<CommandEntry> decoded = CommandEntry::decode(entry, &error);
    if (!decoded) {
        ++m_stats.malformedEntries;
        qCWarning(lcRedisBus).nospace() << "command skipped: " << error;
        return;
    }
    if (decoded->node != m_options.nodeId) // the sender applied it already
        Q_EMIT commandReceived(decoded->command);
}

void RedisBus::sendCommand(const Command &command)
{
    QList<QByteArray> arguments{"XADD", key("commands"), "MAXLEN", "~", QByteArray::number(commandsKept), "*"};
    arguments += CommandEntry::fields(command, m_options.nodeId);
    m_commands.command(arguments, [this](const RedisReply &reply) {
        if (!reply.isError())
            return;
        ++m_stats.commandFailures;
        qCWarning(lcRedisBus).nospace() << "a command for the other nodes was not sent: " << reply.string;
    });
}

void RedisBus::answerAwaiting(const QByteArray &id)
{
    const auto found = m_awaiting.find(id);
    if (found == m_awaiting.end())
        return;
    Awaiting awaiting = std::move(*found);
    m_awaiting.erase(found);
    awaiting.done(Published{std::move(awaiting.event), {}});
}

void RedisBus::publish(Event draft, PublishCallback done)
{
    // Not before the reader has joined: it reads from where it joined, and must see this.
    if (!m_commands.isReady() || m_epochMs == 0 || m_readFrom.isEmpty()) {
        ++m_stats.publishFailures;
        const QString error = m_commands.isReady() ? m_reader.lastError() : m_commands.lastError();
        const QString why = error.isEmpty() ? QStringLiteral("joining the cluster") : error;
        done(Published{std::move(draft), QStringLiteral("redis unavailable: ") + why});
        return;
    }
    // Redis trims the stream to --history-size: a node that publishes faster than it reads
    // would see its own events trimmed before it delivered them. Refuse (503) before that.
    const quint64 read = m_readSeq.value_or(0);
    const quint64 unread = m_lastWrittenSeq > read ? m_lastWrittenSeq - read : 0;
    if (m_commands.pendingCommands() >= maxPublishesInFlight) {
        ++m_stats.publishFailures;
        ++m_stats.publishesRefusedBusy;
        done(Published{std::move(draft), QStringLiteral("%1 publishes are waiting for Redis; retry shortly")
                                             .arg(m_commands.pendingCommands())});
        return;
    }
    if (unread >= quint64(qMax(1, m_options.capacity / 2))) {
        ++m_stats.publishFailures;
        ++m_stats.publishesRefusedBusy;
        done(Published{std::move(draft), QStringLiteral("this node is %1 events behind the cluster history; "
                                                        "retry shortly").arg(unread)});
        return;
    }
    if (!draft.createdAt.isValid())
        draft.createdAt = QDateTime::currentDateTimeUtc();
    QList<QByteArray> arguments{"EVAL", publishScript, "2", key("epoch"), key("events"),
                                QByteArray::number(m_epochMs), QByteArray::number(qMax(0, m_options.capacity))};
    arguments += StreamEntry::fields(draft);
    m_commands.command(arguments, [this, draft = std::move(draft), done = std::move(done)](const RedisReply &reply) mutable {
        if (reply.isError()) {
            ++m_stats.publishFailures;
            if (reply.string.startsWith("EPOCH")) {
                learnEpoch();
                return done(Published{std::move(draft),
                                      QStringLiteral("the shared history was reset meanwhile; publish again")});
            }
            const QString why = reply.transport ? QString::fromUtf8(reply.string)
                                                : QStringLiteral("redis refused the event: ") + QString::fromUtf8(reply.string);
            return done(Published{std::move(draft), why});
        }
        const std::optional<std::pair<qint64, quint64>> id = StreamEntry::parseId(reply.string);
        if (reply.type != RedisReply::Type::String || !id) {
            ++m_stats.publishFailures;
            return done(Published{std::move(draft), QStringLiteral("redis answered the event with '%1'")
                                                        .arg(QString::fromUtf8(reply.string.left(64)))});
        }
        if (id->first == m_epochMs)
            m_lastWrittenSeq = qMax(m_lastWrittenSeq, id->second);
        Event event = std::move(draft);
        event.id = StreamEntry::eventId(id->first, id->second);
        event.frame = SseEncoder::event(event.id, event.name, event.data).value_or(QByteArray());
        // Read back already (the reader is another connection): answer now.
        if (id->first == m_epochMs && id->second < headSeq())
            return done(Published{std::move(event), {}});
        const QByteArray eventId = event.id;
        m_awaiting.insert(eventId, Awaiting{std::move(event), std::move(done), m_clock.elapsed() + m_options.timeoutMs});
        m_deadlineTimer.start();
    });
}

void RedisBus::replay(const QByteArray &after, int maxEvents, ReplayCallback done)
{
    const qint64 deadline = m_clock.elapsed() + m_options.timeoutMs;
    if (!m_commands.isReady() || m_epochMs == 0) {
        // Goes on once Redis is back (learnEpoch); the stream waits, with heartbeats.
        m_deferred.push_back({after, maxEvents, std::move(done), deadline});
        return;
    }
    // An id this node has not read yet (published elsewhere a moment ago): wait for the reader.
    const std::optional<EventId> id = EventId::parse(after);
    if (id && id->epoch == StreamEntry::epochText(m_epochMs) && id->seq > headSeq()) {
        m_deferred.push_back({after, maxEvents, std::move(done), deadline});
        m_deadlineTimer.start();
        return;
    }
    runReplay(after, maxEvents, std::move(done));
}

void RedisBus::runReplay(const QByteArray &after, int maxEvents, ReplayCallback done)
{
    const StreamReplay page(after, m_epochMs, m_readSeq, maxEvents);
    m_commands.command({"EVAL", replayScript, "1", key("events"), page.start(), QByteArray::number(page.count())},
                       [this, after, maxEvents, page, done = std::move(done)](const RedisReply &reply) mutable {
        if (reply.transport) {
            m_deferred.push_back({after, maxEvents, std::move(done), m_clock.elapsed() + m_options.timeoutMs});
            return;
        }
        if (reply.isError())
            qCWarning(lcRedisBus).nospace() << "cannot replay from the stream: " << reply.string;
        const std::optional<EventLog::Replay> replay = page.interpret(reply);
        if (!replay) // an id of this epoch past its newest event: everything retained
            return runReplay({}, maxEvents, std::move(done));
        done(*replay);
    });
}

void RedisBus::checkDeadlines()
{
    const qint64 now = m_clock.elapsed();
    // Stored, but the reader has not brought it back in time: answer anyway.
    for (auto it = m_awaiting.begin(); it != m_awaiting.end();) {
        if (it->deadline > now) {
            ++it;
            continue;
        }
        Awaiting awaiting = std::move(*it);
        it = m_awaiting.erase(it);
        awaiting.done(Published{std::move(awaiting.event), {}});
    }
    if (m_commands.isReady() && m_epochMs != 0) {
        std::vector<DeferredReplay> due = takeDeferred([now](const DeferredReplay &replay) { return replay.deadline <= now; });
        for (DeferredReplay &replay : due)
            runReplay(replay.after, replay.maxEvents, std::move(replay.done));
    }
    if (m_awaiting.isEmpty() && m_deferred.empty())
        m_deadlineTimer.stop();
}

EventBus::HistoryStats RedisBus::history() const
{
    return {m_recent.size(), m_recent.capacity(), m_recent.bytes(), m_recent.maxBytes(), true, m_stats.publishFailures};
}

void RedisBus::flush()
{
    const QHash<QByteArray, Awaiting> awaiting = std::exchange(m_awaiting, {});
    for (const Awaiting &entry : awaiting)
        entry.done(Published{entry.event, {}});
}

RedisBus::Stats RedisBus::stats() const
{
    Stats stats = m_stats;
    stats.connected = m_commands.isReady() && m_reader.isReady() && m_epochMs != 0;
    stats.reading = stats.connected && !m_readFrom.isEmpty() && !m_commandsFrom.isEmpty() && m_caughtUp;
    stats.lastError = !m_reader.lastError().isEmpty() ? m_reader.lastError() : m_commands.lastError();
    stats.reconnects = m_commands.reconnects() + m_reader.reconnects();
    return stats;
}

QJsonObject RedisBus::status() const
{
    const Stats s = stats();
    return {{QStringLiteral("broker"), QStringLiteral("redis")},
            {QStringLiteral("url"), m_options.url.display()},
            {QStringLiteral("node"), m_options.nodeId},
            {QStringLiteral("connected"), s.connected},
            {QStringLiteral("reading"), s.reading},
            {QStringLiteral("lastError"), s.lastError},
            {QStringLiteral("reconnects"), s.reconnects},
            {QStringLiteral("publishFailures"), s.publishFailures},
            {QStringLiteral("malformedEntries"), s.malformedEntries},
            {QStringLiteral("missedEntries"), s.missedEntries},
            {QStringLiteral("commandFailures"), s.commandFailures},
            {QStringLiteral("lagEvents"), s.lagEvents},
            {QStringLiteral("publishesRefusedBusy"), s.publishesRefusedBusy},
            {QStringLiteral("headId"), QString::fromLatin1(m_head)}};
}
