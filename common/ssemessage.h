#pragma once

#include <QString>

// One event as an EventSource client dispatches it (WHATWG HTML §9.2.6).
struct SseMessage final
{
    QString type; // "message" when the stream named none
    QString data;
    QString lastEventId;

    bool operator==(const SseMessage &other) const
    {
        return type == other.type && data == other.data && lastEventId == other.lastEventId;
    }
};
