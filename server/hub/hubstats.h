#pragma once

#include <QtGlobal>

// Counters the hub keeps since start; /api/stats and /metrics read them.
struct HubStats final
{
    qint64 connectionsOpened = 0;
    qint64 connectionsRejected = 0; // over --max-connections
    qint64 connectionsRejectedPerAddress = 0; // over --max-connections-per-ip
    qint64 filtersRefused = 0;      // over --max-filter-names
    qint64 eventsPublished = 0;
    qint64 eventsRejected = 0;
    qint64 eventsTooLarge = 0;      // over --max-event-kb
    qint64 deliveries = 0;
    qint64 bytesSent = 0;
    qint64 replayedEvents = 0;
    qint64 resumeGaps = 0;          // resumes from an unknown or too old id
    qint64 slowConsumersDropped = 0;
    qint64 kicked = 0;
    qint64 paused = 0;
    qint64 tokenExpired = 0;
};
