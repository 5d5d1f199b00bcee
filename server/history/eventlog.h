#pragma once

#include "event.h"
#include "principal.h"

#include <QList>
#include <QString>

#include <limits>

// Assigns event ids and keeps the recent committed events for replay. Ids are opaque outside
// the log: only the log compares them, so another back end never changes the hub or the
// clients. Publishing is two steps: assign() gives the draft its id and frame, commit() makes
// assigned events durable (where the back end stores them) and only then retains them; an id
// whose commit failed is never assigned again and never replayed.
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
    struct Commit
    {
        bool ok = true;
        QString error; // why the events are not stored
    };

    virtual ~EventLog() = default;

    // The next id, the frame and the creation time. The draft's name and data must already be
    // valid for the wire.
    virtual Event assign(Event draft) = 0;
    // Stores assigned events, oldest first, all or none; on success they are retained.
    virtual Commit commit(const QList<Event> &events) = 0;
    // assign() then commit(); an empty id when the commit failed.
    Event append(Event draft)
    {
        Event event = assign(std::move(draft));
        if (!commit({event}).ok)
            event.id.clear();
        return event;
    }
    // Committed events after lastEventId, oldest first, at most maxEvents of them: a long
    // replay is read page by page, each from the id of the last event of the one before.
    virtual Replay replaySince(QByteArrayView lastEventId,
                               int maxEvents = std::numeric_limits<int>::max()) const = 0;
    // The newest committed id: resuming from it replays nothing. Exists before the first event.
    virtual QByteArray headId() const = 0;
    virtual QList<Event> recent(int count) const = 0;
    // Whether a replayed event may reach this principal (who it was addressed to).
    virtual bool mayReach(const Event &event, const Principal &principal) const
    {
        return principal.isAddressedBy(event.target);
    }
    virtual int size() const = 0;
    virtual int capacity() const = 0;
    // What the retained events take in memory, and the most they may.
    virtual qint64 bytes() const = 0;
    virtual qint64 maxBytes() const = 0;
    virtual bool isPersistent() const = 0;
    // Commits that failed since start.
    virtual qint64 writeErrors() const { return 0; }
    // Empties the history and starts its ids again from the first (test mode). False for a
    // log that cannot (a persistent one).
    virtual bool clear() { return false; }
};
