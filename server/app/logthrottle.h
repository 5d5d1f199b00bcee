#pragma once

#include <QElapsedTimer>
#include <QtGlobal>

#include <optional>
#include <utility>

// At most one log line a second for something a peer can trigger at will (a refused
// request, a wrong token): a flood of cheap requests must not become a flood of log lines.
// The lines held back are counted into the next one written.
class LogThrottle final
{
public:
    LogThrottle() { m_clock.start(); }

    // The number of lines held back since the last one if a line may be written now;
    // nothing (and one more held back) if not.
    std::optional<qint64> admit()
    {
        const qint64 now = m_clock.elapsed();
        if (m_written && now - m_lastMs < intervalMs) {
            ++m_heldBack;
            return std::nullopt;
        }
        m_written = true;
        m_lastMs = now;
        return std::exchange(m_heldBack, 0);
    }

private:
    static constexpr qint64 intervalMs = 1000;
    QElapsedTimer m_clock;
    qint64 m_lastMs = 0;
    qint64 m_heldBack = 0;
    bool m_written = false;
};
