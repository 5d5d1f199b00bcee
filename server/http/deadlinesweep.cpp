#include "deadlinesweep.h"

#include <QLoggingCategory>

#include <utility>

Q_LOGGING_CATEGORY(lcSweep, "eventsource.server.http.sweep")

namespace {
constexpr int maxSweepIntervalMs = 1000;
}

DeadlineSweep::DeadlineSweep(int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_timeoutMs(timeoutMs)
    , m_timer(this)
{
    m_clock.start();
    m_timer.setInterval(qBound(1, timeoutMs / 4, maxSweepIntervalMs));
    connect(&m_timer, &QTimer::timeout, this, &DeadlineSweep::sweep);
}

DeadlineSweep::Ticket DeadlineSweep::arm(std::function<void()> expired)
{
    const Ticket ticket = ++m_lastTicket;
    m_queue.push_back({m_clock.elapsed() + m_timeoutMs, ticket});
    m_armed.insert(ticket, std::move(expired));
    if (!m_timer.isActive())
        m_timer.start();
    return ticket;
}

void DeadlineSweep::cancel(Ticket ticket)
{
    if (!m_armed.remove(ticket) || !m_armed.isEmpty())
        return;
    // Nothing armed: every entry left is stale.
    m_queue.clear();
    m_timer.stop();
}

void DeadlineSweep::sweep()
{
    const qint64 now = m_clock.elapsed();
    int expiredCount = 0;
    // A callback may arm or cancel: the entry leaves the queue before it runs.
    while (!m_queue.empty() && m_queue.front().dueMs <= now) {
        const Ticket ticket = m_queue.front().ticket;
        m_queue.pop_front();
        const std::function<void()> expired = m_armed.take(ticket);
        if (!expired)
            continue;
        ++expiredCount;
        expired();
    }
    if (expiredCount > 0)
        qCDebug(lcSweep).nospace() << "deadlines expired count=" << expiredCount
                                   << " armed=" << m_armed.size();
    if (m_armed.isEmpty()) {
        m_queue.clear();
        m_timer.stop();
    }
}
