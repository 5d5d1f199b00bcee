#pragma once

#include "httplimitstats.h"

#include <QByteArray>

class FaultInjector;
class Hub;

// GET /metrics: the hub's counters and every limit hit, in the Prometheus text format
// (version 0.0.4).
struct MetricsFormatter final
{
    // faults: null when the hub runs without --test-faults.
    static QByteArray format(const Hub &hub, const HttpLimitStats &http, FaultInjector *faults);
};
