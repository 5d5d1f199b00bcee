#pragma once

#include <QtGlobal>

// Counters the fan-out keeps since start; /api/stats and /metrics read them.
struct FanoutStats final
{
    qint64 connectionsOpened = 0;
    qint64 deliveries = 0;
    qint64 bytesSent = 0;
    qint64 replayedEvents = 0;
    qint64 resumeGaps = 0;          // resumes from an unknown or too old id
    qint64 slowConsumersDropped = 0;
    qint64 kicked = 0;
    qint64 paused = 0;
    qint64 tokenExpired = 0;
    // Test faults applied to events (--test-faults).
    qint64 faultCuts = 0;
    qint64 faultDuplicates = 0;
    qint64 faultMalformed = 0;
};
