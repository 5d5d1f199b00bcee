#pragma once

#include "event.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/push (and the control channel's push), checked field by field:
// {"event": name?, "data": string or any JSON, "json": bool?, "target": {...}?, "dryRun": bool?}.
// A string is sent as is unless json is true; any other value is sent JSON-encoded. A dry
// run sends nothing: it asks which streams the event would reach. The server reads it with
// fromJson(), the CLI and the console write it with body() and preview().
struct PushRequest final
{
    std::optional<Event> draft;
    QString error;
    bool dryRun = false;

    static PushRequest fromJson(const QJsonObject &body);
    // event empty: the default "message"; dataIsJson: a string data is JSON text, sent
    // JSON-encoded; target empty: everyone.
    static QJsonObject body(const QString &event, const QJsonValue &data, bool dataIsJson,
                            const QJsonObject &target = {});
    // A dry run of an event with this name and target.
    static QJsonObject preview(const QString &event, const QJsonObject &target = {});
};
