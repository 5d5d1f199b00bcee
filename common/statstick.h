#pragma once

#include <QJsonObject>

#include <optional>

// The control channel's "stats" message, once a second (docs/control-protocol.md).
struct StatsTick final
{
    qint64 connections = 0;
    double eventsPerSecond = 0;
    double deliveriesPerSecond = 0;
    double bytesPerSecond = 0;
    qint64 droppedSlowConsumers = 0;
    qint64 eventsPublished = 0;
    qint64 consoles = 0;
    bool testFaults = false; // faults may be injected (--test-faults)
    qint64 activeFaults = 0;
    // Absent from the ticks of servers before 0.1.0's issue 15: unknown, not zero.
    std::optional<qint64> limitsHit;   // requests and streams refused at a limit, and events too large
    std::optional<qint64> historySize; // events the history holds

    QJsonObject toJson() const;
    // Nullopt when the message is not a stats tick.
    static std::optional<StatsTick> fromJson(const QJsonObject &message);
};
