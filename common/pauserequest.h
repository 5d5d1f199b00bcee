#pragma once

#include "target.h"

#include <QJsonObject>

#include <optional>

// The body of POST /api/pause (and the control channel's pause):
// {"delay": ms, "target": {...}?, "exceptGroups": [group id or name, ...]?}. The server reads
// it with fromJson(), the CLI and the console write it with body().
struct PauseRequest final
{
    static constexpr int maxDelayMs = 24 * 60 * 60 * 1000;

    int delayMs = 0;
    Target target;
    QStringList exceptGroups;

    static std::optional<PauseRequest> fromJson(const QJsonObject &body, QString *error);
    // target empty: everyone; except empty: nobody spared. The delay is checked by the
    // server, whose error then says why.
    static QJsonObject body(qint64 delayMs, const QJsonObject &target = {}, const QStringList &except = {});
};
