#pragma once

#include "connectionrecord.h"

#include <QJsonArray>
#include <QJsonObject>

#include <optional>

// One page of the control channel's "connections.snapshot" (docs/control-protocol.md): every
// open stream, in pages, before the first connections.batch. The server pages the records it
// already holds as JSON; the console reads them back with records().
struct ConnectionsSnapshot final
{
    QJsonArray connections; // connection records (ConnectionRecord::toJson)
    qint64 total = 0;       // records in the whole snapshot
    bool last = true;       // the snapshot's last page

    QList<ConnectionRecord> records() const { return ConnectionRecord::listFromJson(connections); }
    QJsonObject toJson() const;
    // Nullopt when the message is not a connections.snapshot.
    static std::optional<ConnectionsSnapshot> fromJson(const QJsonObject &message);
    // all in pages of at most pageSize records (one empty page when there is none).
    static QList<ConnectionsSnapshot> pages(const QJsonArray &all, qsizetype pageSize);
};
