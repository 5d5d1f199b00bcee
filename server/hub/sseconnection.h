#pragma once

#include "connectionrecord.h"
#include "event.h"
#include "principal.h"
#include "streamsink.h"

#include <QByteArrayList>
#include <QDateTime>
#include <QObject>

#include <memory>
#include <vector>

// One open event stream, writing into a sink of its own (StreamSocket for plain TCP; the
// HTTP layer queued the response head). Frames queued during one event-loop turn go out in
// one send; a client that stops reading is dropped once its unsent bytes pass the cap. While
// a resumed stream is replaying, the fan-out feeds it from the history as its sink drains
// (replayCursor(): the last event looked at) and live events wait in the history too.
class SseConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseConnection)

public:
    enum class CloseReason { ClientGone, SlowConsumer, Kicked, Paused, TokenExpired, SessionChanged, Shutdown, Faulted, Reset };
    Q_ENUM(CloseReason)
    // Where a resumed stream's Last-Event-ID came from, and what the history made of it.
    enum class ResumeVia : quint8 { Header, Query };
    enum class ResumeStatus : quint8 { Exact, TooOld, Unknown };

    struct Info
    {
        quint64 id = 0;
        Principal principal;
        QByteArrayList filter; // event names; empty: every event and plain messages
        QString remoteAddress;
        QString userAgent;
        QByteArray protocol; // "http/1.1" or "h2"
        QDateTime connectedAt;
        QDateTime expiresAt; // when its token expires; invalid: never
    };

    SseConnection(Info info, std::unique_ptr<StreamSink> sink, qint64 maxBufferBytes, QObject *parent = nullptr);

    const Info &info() const { return m_info; }
    // The fan-out gives a stream opened before its node joined a cluster the node's number.
    void setId(quint64 id) { m_info.id = id; }
    // Whether this stream is to receive the event: its name passes the URL filter and the
    // event is addressed to this stream's principal.
    bool accepts(const Event &event) const { return accepts(event.name, event.target); }
    bool accepts(QByteArrayView name, const Target &target) const;
    bool acceptsName(QByteArrayView name) const;

    // Queue bytes for the next flush: any frame, an event's frame (counted, its id becomes
    // the stream's last id), or an id-only block that moves the last id without an event.
    void enqueue(const QByteArray &frame);
    // Returns the test faults it applied to this event (NextFault flags, usually none).
    quint8 enqueueEvent(const Event &event);
    void enqueueIdUpdate(const QByteArray &id);
    bool hasPending() const { return m_unflushed > 0; }
    // Bytes queued that the kernel has not taken yet.
    qint64 unsent() const { return m_sink->unsent(); }
    bool isFinished() const { return m_finished; }

    // Test faults (--test-faults) waiting for the stream's next event: its frame cut in the
    // middle and the stream closed, the frame sent twice, or a malformed field line first.
    enum NextFault : quint8 { CutNext = 1, DuplicateNext = 2, MalformedNext = 4 };
    void addNextFaults(quint8 faults) { m_nextFaults |= faults; }
    void clearNextFaults(quint8 faults) { m_nextFaults &= quint8(~faults); }
    quint8 nextFaults() const { return m_nextFaults; }
    // The line a malformed-next fault sends: no colon, and a byte that is not UTF-8.
    static const QByteArray malformedLine;
    // A stalled stream sends nothing, heartbeats included; what it queues meanwhile is
    // bounded like any unsent bytes, and goes out once Fanout::setStalled() lifts it.
    void setStalled(bool stalled) { m_stalled = stalled; }
    bool isStalled() const { return m_stalled; }

    // Delivery tickets (DeliveryLedger): of the last live event queued here, and of the last
    // one the kernel has taken together with everything before it.
    quint32 lastQueuedTicket() const { return m_lastQueuedTicket; }
    quint32 lastSentTicket() const { return m_lastSentTicket; }
    void setQueuedTicket(quint32 ticket) { m_lastQueuedTicket = ticket; }
    // Nothing of the live events up to ticket is waiting here (opened, or caught up after a replay).
    void resetTickets(quint32 ticket) { m_firstTicket = m_lastQueuedTicket = m_lastSentTicket = ticket; }

    // One event this stream received, for its trace (GET /api/connections/<id>/trace).
    struct Received
    {
        QByteArray id;
        QByteArray name;
        qint64 bytes = 0;
        qint64 atMs = 0; // ms since the epoch
        bool replayed = false;
    };
    static constexpr int replayTraceLength = 50;
    // How a stream that sent a Last-Event-ID came back: kept only for those, so that a
    // stream that did not pays one pointer.
    struct Resumed
    {
        QByteArray from;
        ResumeVia via = ResumeVia::Header;
        ResumeStatus status = ResumeStatus::Exact; // until a gap says otherwise
        qint32 replayedCount = 0;
        std::vector<Received> replayed; // the last of them, oldest first
    };
    void markResumed(const QByteArray &from, ResumeVia via);
    // Null for a stream that sent no Last-Event-ID.
    const Resumed *resumed() const { return m_resumed.get(); }
    // A gap: the id was too old or unknown.
    void setResumeStatus(ResumeStatus status);
    // An event went out to it from the history (counted, and kept for its trace).
    void noteReplayed(const Event &event);
    // The first live ticket it could receive (when it opened or caught up after a replay).
    quint32 firstTicket() const { return m_firstTicket; }

    bool isReplaying() const { return m_replaying; }
    const QByteArray &replayCursor() const { return m_replayCursor; }
    void setReplayCursor(const QByteArray &id) { m_replaying = true; m_replayCursor = id; }
    void finishReplay() { m_replaying = false; m_replayCursor.clear(); }
    // Hands what is queued to the kernel and returns its size (0 when the stream is gone).
    // Touches only this stream: different streams may flush on different threads at once.
    // settle() must follow, on the fan-out's thread.
    qint64 flush();
    // After flush(): waits for the kernel to take the rest, closes a failed stream, and
    // drops a slow consumer whose unsent bytes pass the cap.
    void settle();
    // Flushes, then closes once the sink has passed everything on (or after a short grace).
    void close(CloseReason reason);

    qint64 eventsSent() const { return m_eventsSent; }
    qint64 bytesSent() const { return m_bytesSent; }
    QByteArray lastEventId() const { return m_lastEventId; }
    // Its counters, as the control channel reports them.
    ConnectionUpdate update() const
    {
        return {QString::number(m_info.id), m_eventsSent, m_bytesSent, QString::fromLatin1(m_lastEventId)};
    }
    // True when something was queued since the last call; the heartbeat uses it.
    bool takeActivity();

Q_SIGNALS:
    void closed(SseConnection *connection, SseConnection::CloseReason reason);
    // Replaying, and the sink passed on more of what was queued: room for the next part.
    void replayDrained(SseConnection *connection);

private:
    void handleSinkGone();
    // The sink has passed everything on: every event queued so far is taken.
    void confirmIfDrained();

    Info m_info;
    std::unique_ptr<StreamSink> m_sink;
    qint64 m_maxBufferBytes;
    qint64 m_unflushed = 0; // bytes queued on the sink since the last flush()
    QByteArray m_lastEventId;
    qint64 m_eventsSent = 0;
    qint64 m_bytesSent = 0;
    qint64 m_pendingEvents = 0;
    quint32 m_lastQueuedTicket = 0;
    quint32 m_lastSentTicket = 0;
    quint32 m_firstTicket = 0;
    std::unique_ptr<Resumed> m_resumed;
    bool m_active = false;
    bool m_finished = false;
    bool m_replaying = false;
    bool m_stalled = false;
    bool m_closeAfterFlush = false; // a cut frame is queued: close once it is sent
    quint8 m_nextFaults = 0;
    QByteArray m_replayCursor;
    CloseReason m_closeReason = CloseReason::ClientGone;
};
