#pragma once

#include "eventlog.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <functional>

// Where events are published and where they come from: the port between publishing and
// delivery. publish() answers once the event is stored where the bus stores it (memory,
// SQLite, later Redis), or with the reason it is not; only stored events are emitted as
// committed(), in the bus's one order, each just before its publisher's answer. Replays
// and the head come from the same history. Commands addressed to streams of other nodes
// arrive as commandReceived(); a bus with no other node emits none.
class EventBus : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventBus)

public:
    struct Published
    {
        Event event;   // with its id when stored
        QString error; // why it is not stored; empty when it is
        bool ok() const { return error.isEmpty(); }
    };
    using PublishCallback = std::function<void(const Published &)>;
    using ReplayCallback = std::function<void(const EventLog::Replay &)>;

    struct Command
    {
        // SessionAdded and SessionRemoved tell the other nodes of a login or a logout here.
        enum class Kind { Kick, Pause, CloseSession, SessionAdded, SessionRemoved };
        Kind kind = Kind::Kick;
        quint64 connectionId = 0; // Kick
        int delayMs = 0;          // Pause
        Target target;            // Pause
        QStringList exceptGroups; // Pause
        QString sessionId;        // CloseSession
        QByteArray sessionDigest; // SessionAdded, SessionRemoved
        QString userId;           // SessionAdded
        QDateTime expiresAt;      // SessionAdded
    };

    struct HistoryStats
    {
        int size = 0;
        int capacity = 0;
        qint64 bytes = 0;
        qint64 maxBytes = 0;
        bool persistent = false;
        qint64 writeErrors = 0;
    };

    using QObject::QObject;
    ~EventBus() override = default;

    // The draft is valid for the wire (the hub checked it). done is called exactly once,
    // possibly before publish() returns.
    virtual void publish(Event draft, PublishCallback done) = 0;
    // Committed events after `after`, as EventLog::replaySince(); done may be called before
    // replay() returns.
    virtual void replay(const QByteArray &after, int maxEvents, ReplayCallback done) = 0;
    virtual QByteArray head() const = 0;
    virtual QList<Event> recent(int count) const = 0;
    virtual bool mayReach(const Event &event, const Principal &principal) const = 0;
    virtual HistoryStats history() const = 0;
    // Sends a command to the other nodes' streams (this node applies it itself).
    virtual void sendCommand(const Command &command) = 0;
    // Stores what is waiting now, answering its publishers (shutdown).
    virtual void flush() = 0;
    // Whether events still flow (a broker that cannot be read is not healthy), and what
    // /health and /api/stats show of the bus.
    virtual bool healthy() const { return true; }
    // Empties the history (test mode); false when this bus cannot.
    virtual bool clearHistory() { return false; }
    virtual QJsonObject status() const { return {}; }

Q_SIGNALS:
    void committed(const Event &event);
    void commandReceived(const EventBus::Command &command);
    // Events were lost to this node (a cluster's history trimmed them before it read them):
    // its live streams are told with the gap event, as a resume would be.
    void eventsLost();
};
