#pragma once

#include "target.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/pause (and the control channel's pause):
// {"delay": ms, "target": {...}?, "exceptGroups": [group id or name, ...]?}.
struct PauseRequest final
{
    static constexpr int maxDelayMs = 24 * 60 * 60 * 1000;

    int delayMs = 0;
    Target target;
    QStringList exceptGroups;

    static std::optional<PauseRequest> fromJson(const QJsonObject &body, QString *error);
};
