#include "floodmeter.h"

#include <algorithm>

FloodMeter::FloodMeter(Options options)
    : m_options(options)
    , m_milliTokens(qint64(options.burst) * 1000)
{
}

bool FloodMeter::admit(qint64 nowMs)
{
    const qint64 capacity = qint64(m_options.burst) * 1000;
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        m_milliTokens = std::min(capacity, m_milliTokens + (nowMs - m_lastMs) * m_options.perSecond);
    m_lastMs = std::max(m_lastMs, nowMs);
    if (m_milliTokens < 1000)
        return false;
    m_milliTokens -= 1000;
    return true;
}
