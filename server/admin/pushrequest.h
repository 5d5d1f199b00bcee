#pragma once

#include "event.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/push (and the control channel's push), checked field by field:
// {"event": name?, "data": string or any JSON, "json": bool?, "target": {...}?}. A string is
// sent as is unless json is true; any other value is sent JSON-encoded.
struct PushRequest final
{
    std::optional<Event> draft;
    QString error;

    static PushRequest fromJson(const QJsonObject &body);
};
