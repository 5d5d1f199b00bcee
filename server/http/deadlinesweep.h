#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>

// Deadlines for many sockets on one coarse timer instead of a QTimer each (Qt 6.4 keeps
// timers in a list scanned linearly, so thousands of them make every start and stop slow).
// All deadlines are the same timeout from when they are armed, so they expire in the order
// they were armed: a FIFO, with O(1) arm and cancel. A cancelled or re-armed deadline leaves
// a stale entry behind that is skipped when its turn comes. The timer runs only while some
// deadline is armed; a deadline fires at most one sweep interval late.
class DeadlineSweep final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadlineSweep)

public:
    using Ticket = quint64; // 0 is never a ticket

    explicit DeadlineSweep(int timeoutMs, QObject *parent = nullptr);

    // expired runs once, from the event loop, timeoutMs or a little more from now, unless
    // the ticket returned is cancelled first.
    Ticket arm(std::function<void()> expired);
    // Cancelling a ticket that expired, was cancelled or is 0 does nothing.
    void cancel(Ticket ticket);

private:
    struct Entry
    {
        qint64 dueMs;
        Ticket ticket;
    };

    void sweep();

    const int m_timeoutMs;
    QElapsedTimer m_clock;
    QTimer m_timer;
    std::deque<Entry> m_queue;                    // by due time, stale entries included
    QHash<Ticket, std::function<void()>> m_armed; // the tickets still to fire
    Ticket m_lastTicket = 0;
};
