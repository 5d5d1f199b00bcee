#pragma once

#include "event.h"
#include "principal.h"

#include <QList>

#include <limits>

// Keeps recent events and assigns their ids. Ids are opaque outside the log: only the log
// compares them, so another back end never changes the hub or the clients.
class EventLog
{
public:
    enum class ResumeStatus {
        Exact,   // the id is known: events are exactly those after it
        TooOld,  // the id is from this history but events after it were dropped: all retained
        Unknown, // the id is from no history this log knows: all retained
    };
    struct Replay
    {
        ResumeStatus status = ResumeStatus::Exact;
        QList<Event> events;
        bool complete = true; // nothing retained follows the last of events
    };

    virtual ~EventLog() = default;

    // Assigns the next id, encodes the frame and keeps the event. The draft's name and data
    // must already be valid for the wire.
    virtual Event append(Event draft) = 0;
    // Events after lastEventId, oldest first, at most maxEvents of them: a long replay is read
    // page by page, each from the id of the last event of the one before.
    virtual Replay replaySince(QByteArrayView lastEventId,
                               int maxEvents = std::numeric_limits<int>::max()) const = 0;
    // The newest id: resuming from it replays nothing. Exists even before the first event.
    virtual QByteArray headId() const = 0;
    virtual QList<Event> recent(int count) const = 0;
    // Whether a replayed event may reach this principal (who it was addressed to).
    virtual bool mayReach(const Event &event, const Principal &principal) const
    {
        return principal.isAddressedBy(event.target);
    }
    virtual int size() const = 0;
    virtual int capacity() const = 0;
    virtual bool isPersistent() const = 0;
    // Makes everything appended so far durable.
    virtual void flush() = 0;
};
