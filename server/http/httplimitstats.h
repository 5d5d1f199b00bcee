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
    qint64 h2Connections = 0;        // HTTP/2 connections served (ALPN h2, or h2c)
    qint64 h2StreamsRefused = 0;     // REFUSED_STREAM: over --h2-max-streams, or shutting down
    qint64 h2PingFloods = 0;         // connections closed for their PING frames
    qint64 h2SettingsFloods = 0;     // ... SETTINGS frames
    qint64 h2ResetFloods = 0;        // ... RST_STREAM frames (rapid reset)
    qint64 h2ProtocolErrors = 0;     // closed on a protocol error (bad preface, window overflow...)
    LogThrottle refusalLog;

    // Requests and streams refused at a configured limit, all kinds together (the console's
    // "limits hit"); /metrics and /api/stats keep them apart.
    qint64 limitsHit() const
    {
        return headerTooLarge + bodyTooLarge + requestTimeouts + streamsRejected + streamsRejectedPerAddress
            + filtersRefused + h2StreamsRefused;
    }
};
