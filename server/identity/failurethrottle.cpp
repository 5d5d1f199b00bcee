#include "failurethrottle.h"

#include <cmath>

FailureThrottle::FailureThrottle(Options options)
    : m_options(options)
{
    m_options.burst = qMax(1, m_options.burst);
    m_options.maxKeys = qMax(1, m_options.maxKeys);
}

double FailureThrottle::tokensAt(const Bucket &bucket, qint64 nowMs) const
{
    const double refilled = double(qMax<qint64>(0, nowMs - bucket.updatedMs)) * m_options.perMinute / 60000.0;
    return qMin(double(m_options.burst), bucket.tokens + refilled);
}

int FailureThrottle::retryAfterSeconds(const QString &key, qint64 nowMs) const
{
    if (!isEnabled())
        return 0;
    const auto it = m_buckets.constFind(key);
    if (it == m_buckets.constEnd())
        return 0;
    const double tokens = tokensAt(*it, nowMs);
    if (tokens >= 1.0)
        return 0;
    return qMax(1, int(std::ceil((1.0 - tokens) * 60.0 / m_options.perMinute)));
}

void FailureThrottle::recordFailure(const QString &key, qint64 nowMs)
{
    if (!isEnabled())
        return;
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        makeRoom();
        it = m_buckets.insert(key, Bucket{double(m_options.burst), nowMs});
        m_order.enqueue(key);
    }
    it->tokens = qMax(0.0, tokensAt(*it, nowMs) - 1.0);
    it->updatedMs = nowMs;
}

void FailureThrottle::refund(const QString &key, qint64 nowMs)
{
    const auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        return;
    it->tokens = qMin(double(m_options.burst), tokensAt(*it, nowMs) + 1.0);
    it->updatedMs = nowMs;
}

void FailureThrottle::makeRoom()
{
    while (m_buckets.size() >= m_options.maxKeys && !m_order.isEmpty())
        m_buckets.remove(m_order.dequeue());
    // The queue may name keys forgotten already; keep it within twice the map.
    while (m_order.size() > 2 * qsizetype(m_options.maxKeys) && !m_buckets.contains(m_order.head()))
        m_order.dequeue();
}
