#pragma once

#include "httplimitstats.h"

#include <QByteArray>

class Hub;

// GET /metrics: the hub's counters and every limit hit, in the Prometheus text format
// (version 0.0.4).
struct MetricsFormatter final
{
    static QByteArray format(const Hub &hub, const HttpLimitStats &http);
};
