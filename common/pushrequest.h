#pragma once

#include "event.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/push (and the control channel's push), checked field by field:
// {"event": name?, "data": string or any JSON, "json": bool?, "target": {...}?}. A string is
// sent as is unless json is true; any other value is sent JSON-encoded. The server reads it
// with fromJson(), the CLI and the console write it with body().
struct PushRequest final
{
    std::optional<Event> draft;
    QString error;

    static PushRequest fromJson(const QJsonObject &body);
    // event empty: the default "message"; dataIsJson: a string data is JSON text, sent
    // JSON-encoded; target empty: everyone.
    static QJsonObject body(const QString &event, const QJsonValue &data, bool dataIsJson,
                            const QJsonObject &target = {});
};
