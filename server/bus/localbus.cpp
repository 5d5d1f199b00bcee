#include "localbus.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcBus, "eventsource.server.bus")

LocalBus::LocalBus(std::unique_ptr<EventLog> log, QObject *parent)
    : EventBus(parent)
    , m_log(std::move(log))
{
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(0);
    connect(&m_commitTimer, &QTimer::timeout, this, &LocalBus::commitPending);
}

LocalBus::~LocalBus()
{
    commitPending();
}

void LocalBus::publish(Event draft, PublishCallback done)
{
    Event event = m_log->assign(std::move(draft));
    if (!m_log->isPersistent()) {
        m_log->commit({event});
        Q_EMIT committed(event);
        done(Published{std::move(event), {}});
        return;
    }
    m_pending.push_back({std::move(event), std::move(done)});
    if (!m_commitTimer.isActive())
        m_commitTimer.start();
}

void LocalBus::commitPending()
{
    m_commitTimer.stop();
    if (m_pending.empty())
        return;
    // Answers may publish again: those go into the next transaction.
    const std::vector<Pending> batch = std::exchange(m_pending, {});
    QList<Event> events;
    events.reserve(qsizetype(batch.size()));
    for (const Pending &pending : batch)
        events.append(pending.event);
    const EventLog::Commit commit = m_log->commit(events);
    if (!commit.ok)
        qCWarning(lcBus).nospace() << "publishes refused events=" << batch.size() << " error=" << commit.error;
    for (const Pending &pending : batch) {
        if (!commit.ok) {
            pending.done(Published{pending.event, QStringLiteral("history not writable: ") + commit.error});
            continue;
        }
        Q_EMIT committed(pending.event);
        pending.done(Published{pending.event, {}});
    }
}

void LocalBus::replay(const QByteArray &after, int maxEvents, ReplayCallback done)
{
    done(m_log->replaySince(after, maxEvents));
}

EventBus::HistoryStats LocalBus::history() const
{
    return {m_log->size(), m_log->capacity(), m_log->bytes(), m_log->maxBytes(),
            m_log->isPersistent(), m_log->writeErrors()};
}
