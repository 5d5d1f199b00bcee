#pragma once

#include "event.h"
#include "sseconnection.h"

#include <QHash>

#include <deque>
#include <optional>

// What became of the newest events on this node's streams (GET /api/events/<id>). Each live
// delivery gets a ticket, a number counting up; a stream remembers the ticket of the last
// event queued on it and of the last one whose bytes, with everything before them, the
// kernel has taken. From those two numbers per stream, an event is
// - queued on the streams that received it and have not taken everything up to it yet,
// - dropped on those that closed before taking it (or had it cut by a test fault),
// - delivered on the others.
// Tickets compare as serial numbers (RFC 1982): they may wrap, the ledger spans few.
class DeliveryLedger final
{
public:
    static constexpr int capacity = 4096;

    struct Status
    {
        QByteArray id;
        int recipients = 0;
        int queued = 0;
        int dropped = 0;
        int delivered() const { return recipients - queued - dropped; }
    };

    // Tickets of events not delivered yet are above current().
    quint32 current() const { return m_current; }
    // Forgets every event (test mode's reset: their ids come again); tickets go on counting.
    void clear()
    {
        m_entries.clear();
        m_byId.clear();
    }
    // Starts the ledger entry of an event about to be queued on its recipients.
    quint32 open(const Event &event);
    void setRecipients(quint32 ticket, int recipients);
    void addDropped(quint32 ticket);
    // A stream closed with events it had not taken: each of them it received is dropped.
    void streamClosed(const SseConnection &connection);
    // The newest live events the stream received (at most limit), oldest first.
    std::vector<SseConnection::Received> received(const SseConnection &connection, int limit) const;
    // How many streams the event reached, if it is among the newest.
    std::optional<int> recipients(const QByteArray &id) const;
    // The whole status, counting the queued among the open streams.
    std::optional<Status> status(const QByteArray &id, const QList<SseConnection *> &streams) const;

    // a comes after b.
    static bool after(quint32 a, quint32 b) { return qint32(a - b) > 0; }

private:
    struct Entry
    {
        quint32 ticket = 0;
        QByteArray id;
        QByteArray name;
        Target target;
        int recipients = 0;
        int dropped = 0;
        qint64 bytes = 0;
        qint64 atMs = 0;
    };
    Entry *find(quint32 ticket);
    const Entry *entryOf(const QByteArray &id) const;

    std::deque<Entry> m_entries; // oldest first, consecutive tickets
    QHash<QByteArray, quint32> m_byId;
    quint32 m_current = 0;
};
