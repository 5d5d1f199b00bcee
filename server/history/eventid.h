#pragma once

#include <QByteArray>

#include <optional>

// The wire form of an event id, "<epoch>-<seq>". Only the event log looks inside: the epoch
// names one history (a new one means earlier ids are from a lost history), seq counts events
// in it from 1.
struct EventId final
{
    QByteArray epoch;
    quint64 seq = 0;

    QByteArray toByteArray() const { return epoch + '-' + QByteArray::number(seq); }
    static std::optional<EventId> parse(QByteArrayView text);
    // A fresh epoch: the current time in milliseconds, base 36.
    static QByteArray newEpoch();
};
