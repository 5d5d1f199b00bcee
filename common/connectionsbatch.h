#pragma once

#include "connectionrecord.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// The control channel's "connections.batch" (docs/control-protocol.md): the streams opened
// and closed since the last batch, and the counters that changed. Written by the server,
// read by the console.
struct ConnectionsBatch final
{
    struct Closed
    {
        QString id;
        QString reason; // "client", "kicked", "slow", "renumbered", ...
    };

    QList<ConnectionRecord> opened;
    QList<Closed> closed;
    QList<ConnectionUpdate> updated;

    bool isEmpty() const { return opened.isEmpty() && closed.isEmpty() && updated.isEmpty(); }
    QJsonObject toJson() const;
    // Nullopt when the message is not a connections.batch; records that do not read are
    // left out.
    static std::optional<ConnectionsBatch> fromJson(const QJsonObject &message);
};
