#pragma once

#include "target.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonValue>

// An event as the hub keeps it: assigned an id by the event log, encoded once into its SSE
// frame, whose bytes are shared by every connection that sends it.
struct Event final
{
    QByteArray id;
    QByteArray name; // empty: a plain message (client type "message")
    QByteArray data;
    Target target;
    QDateTime createdAt;
    QByteArray frame;

    // The longest event name the hub accepts.
    static constexpr qsizetype maxNameBytes = 256;

    // Why name is not a valid event name, or an empty string when it is.
    static QString nameError(QByteArrayView name);
    // Any JSON value as compact JSON text (a string becomes "\"...\"").
    static QByteArray encodeJson(const QJsonValue &value);
};
