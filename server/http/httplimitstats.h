#pragma once

#include "logthrottle.h"

#include <QtGlobal>

// Limits hit before a request reaches a handler, counted for /metrics; and the one log of
// refusals all sockets share, so a flood of bad requests is not a flood of lines.
struct HttpLimitStats final
{
    qint64 headerTooLarge = 0;
    qint64 bodyTooLarge = 0;
    qint64 requestTimeouts = 0;
    qint64 acceptErrors = 0;
    qint64 malformedRequests = 0; // refused by RequestHead or ChunkedBody (400, 501, 505)
    qint64 streamsRejected = 0;   // over --max-connections, or out of descriptors
    qint64 streamsRejectedPerAddress = 0; // over --max-connections-per-ip
    qint64 filtersRefused = 0;    // over --max-filter-names
    qint64 tlsHandshakes = 0;        // completed
    qint64 tlsHandshakeFailures = 0; // refused by either side (plain HTTP on a TLS port, too)
    qint64 tlsHandshakeTimeouts = 0; // not done within --request-timeout-ms
    LogThrottle refusalLog;
};
