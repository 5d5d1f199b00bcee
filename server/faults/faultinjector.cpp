#include "faultinjector.h"

#include "fanout.h"

#include <QJsonArray>
#include <QLoggingCategory>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcFaults, "eventsource.server.faults")

namespace {

quint8 nextFlag(FaultRequest::Type type)
{
    switch (type) {
    case FaultRequest::Type::Cut:
        return SseConnection::CutNext;
    case FaultRequest::Type::Duplicate:
        return SseConnection::DuplicateNext;
    case FaultRequest::Type::Malformed:
        return SseConnection::MalformedNext;
    case FaultRequest::Type::Stall:
    case FaultRequest::Type::Reject:
        break;
    }
    return 0;
}

} // namespace

FaultInjector::FaultInjector(Fanout *fanout, QObject *parent)
    : QObject(parent)
    , m_fanout(fanout)
{
    m_expiryTimer.setSingleShot(true);
    m_expiryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_expiryTimer, &QTimer::timeout, this, &FaultInjector::expire);
}

FaultInjector::Added FaultInjector::add(const FaultRequest &request)
{
    prune();
    Added added;
    if (int(m_faults.size()) >= maxFaults) {
        added.error = QStringLiteral("at most %1 faults at once; remove some first").arg(maxFaults);
        return added;
    }
    Fault fault;
    fault.request = request;
    fault.createdAt = QDateTime::currentDateTimeUtc();
    const qint64 lifetimeMs = request.type == FaultRequest::Type::Stall
        ? qMin<qint64>(request.durationMs, qint64(request.expiresInS) * 1000)
        : qint64(request.expiresInS) * 1000;
    fault.expiresAt = fault.createdAt.addMSecs(lifetimeMs);
    QList<SseConnection *> streams;
    if (!request.connection.isEmpty()) {
        bool ok = false;
        SseConnection *stream = m_fanout->find(request.connection.toULongLong(&ok));
        if (!ok || !stream) {
            added.error = QStringLiteral("no connection with id '%1' on this node").arg(request.connection);
            added.unknownConnection = true;
            return added;
        }
        streams.append(stream);
        fault.session = stream->info().principal.sessionId;
    } else if (request.type != FaultRequest::Type::Reject) {
        streams = m_fanout->connections(request.target);
    }
    if (request.type == FaultRequest::Type::Reject) {
        fault.remaining = request.count;
    } else {
        const quint8 flag = nextFlag(request.type);
        for (SseConnection *stream : std::as_const(streams)) {
            if (flag)
                stream->addNextFaults(flag);
            else
                m_fanout->setStalled(stream, true);
            fault.streams.push_back(stream->info().id);
        }
        fault.affected = int(streams.size());
        if (request.type == FaultRequest::Type::Stall)
            m_stats.streamsStalled += fault.affected;
    }
    fault.id = QStringLiteral("fault-%1").arg(++m_lastId);
    ++m_stats.created[int(request.type)];
    qCInfo(lcFaults).noquote().nospace() << "fault added id=" << fault.id
                                         << " type=" << FaultRequest::typeName(request.type)
                                         << " affected=" << fault.affected;
    added.id = fault.id;
    added.affected = fault.affected;
    m_faults.push_back(std::move(fault));
    armTimer();
    return added;
}

bool FaultInjector::pendingOn(const Fault &fault, quint64 streamId) const
{
    const SseConnection *stream = m_fanout->find(streamId);
    if (!stream)
        return false;
    if (fault.request.type == FaultRequest::Type::Stall)
        return stream->isStalled();
    return (stream->nextFaults() & nextFlag(fault.request.type)) != 0;
}

bool FaultInjector::stillApplies(const Fault &fault) const
{
    if (fault.request.type == FaultRequest::Type::Reject)
        return fault.remaining > 0;
    return std::any_of(fault.streams.begin(), fault.streams.end(),
                       [&](quint64 id) { return pendingOn(fault, id); });
}

void FaultInjector::withdraw(const Fault &fault)
{
    if (fault.request.type == FaultRequest::Type::Reject)
        return;
    for (const quint64 id : fault.streams) {
        SseConnection *stream = m_fanout->find(id);
        if (!stream)
            continue;
        // The fault has left m_faults: any other there of its type on this stream keeps it.
        const bool covered = std::any_of(m_faults.begin(), m_faults.end(), [&](const Fault &other) {
            return other.request.type == fault.request.type
                && std::find(other.streams.begin(), other.streams.end(), id) != other.streams.end();
        });
        if (covered)
            continue;
        if (fault.request.type == FaultRequest::Type::Stall)
            m_fanout->setStalled(stream, false);
        else
            stream->clearNextFaults(nextFlag(fault.request.type));
    }
}

void FaultInjector::prune()
{
    const auto done = std::stable_partition(m_faults.begin(), m_faults.end(),
                                            [this](const Fault &fault) { return stillApplies(fault); });
    m_faults.erase(done, m_faults.end());
}

QJsonObject FaultInjector::list()
{
    prune();
    QJsonArray faults;
    for (const Fault &fault : m_faults) {
        QJsonObject entry = fault.request.toJson();
        entry.insert(QStringLiteral("id"), fault.id);
        entry.insert(QStringLiteral("expiresInS"), fault.request.expiresInS);
        entry.insert(QStringLiteral("affected"), fault.affected);
        if (fault.request.type == FaultRequest::Type::Reject) {
            entry.insert(QStringLiteral("remaining"), fault.remaining);
        } else {
            QJsonArray pending;
            for (const quint64 id : fault.streams) {
                if (pendingOn(fault, id))
                    pending.append(QString::number(id));
            }
            entry.insert(QStringLiteral("pending"), pending);
        }
        entry.insert(QStringLiteral("createdAt"), fault.createdAt.toString(Qt::ISODateWithMs));
        entry.insert(QStringLiteral("expiresAt"), fault.expiresAt.toString(Qt::ISODateWithMs));
        faults.append(entry);
    }
    return {{QStringLiteral("faults"), faults}};
}

bool FaultInjector::remove(const QString &id)
{
    const auto it = std::find_if(m_faults.begin(), m_faults.end(), [&](const Fault &fault) { return fault.id == id; });
    if (it == m_faults.end())
        return false;
    const Fault removed = std::move(*it);
    m_faults.erase(it);
    withdraw(removed);
    qCInfo(lcFaults).noquote().nospace() << "fault removed id=" << id;
    armTimer();
    return true;
}

int FaultInjector::clear()
{
    const std::vector<Fault> all = std::exchange(m_faults, {});
    for (const Fault &fault : all)
        withdraw(fault);
    armTimer();
    return int(all.size());
}

std::optional<FaultInjector::Rejection> FaultInjector::takeRejection(const Principal &principal)
{
    for (auto it = m_faults.begin(); it != m_faults.end(); ++it) {
        if (it->request.type != FaultRequest::Type::Reject || it->remaining <= 0)
            continue;
        const bool addressed = it->request.connection.isEmpty() ? principal.isAddressedBy(it->request.target)
                                                                : principal.sessionId == it->session;
        if (!addressed)
            continue;
        const Rejection rejection{it->request.status, it->request.retryAfterS};
        ++m_stats.requestsRejected;
        if (--it->remaining == 0)
            m_faults.erase(it);
        return rejection;
    }
    return std::nullopt;
}

int FaultInjector::activeCount()
{
    prune();
    return int(m_faults.size());
}

void FaultInjector::expire()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    std::vector<Fault> expired;
    for (auto it = m_faults.begin(); it != m_faults.end();) {
        if (it->expiresAt <= now) {
            expired.push_back(std::move(*it));
            it = m_faults.erase(it);
        } else {
            ++it;
        }
    }
    for (const Fault &fault : expired) {
        qCInfo(lcFaults).noquote().nospace() << "fault ended id=" << fault.id;
        withdraw(fault);
    }
    armTimer();
}

void FaultInjector::armTimer()
{
    if (m_faults.empty()) {
        m_expiryTimer.stop();
        return;
    }
    const auto first = std::min_element(m_faults.begin(), m_faults.end(), [](const Fault &a, const Fault &b) {
        return a.expiresAt < b.expiresAt;
    });
    const qint64 wait = QDateTime::currentDateTimeUtc().msecsTo(first->expiresAt);
    m_expiryTimer.start(int(std::clamp<qint64>(wait, 0, INT_MAX)));
}
