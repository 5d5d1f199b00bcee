#include "deliveryledger.h"

#include "sseconnection.h"

#include <algorithm>

quint32 DeliveryLedger::open(const Event &event)
{
    const quint32 ticket = ++m_current;
    if (m_entries.size() >= size_t(capacity)) {
        m_byId.remove(m_entries.front().id);
        m_entries.pop_front();
    }
    m_entries.push_back({ticket, event.id, event.name, event.target, 0, 0, event.frame.size(),
                         QDateTime::currentMSecsSinceEpoch()});
    m_byId.insert(event.id, ticket);
    return ticket;
}

DeliveryLedger::Entry *DeliveryLedger::find(quint32 ticket)
{
    if (m_entries.empty())
        return nullptr;
    const quint32 offset = ticket - m_entries.front().ticket;
    return offset < m_entries.size() ? &m_entries[offset] : nullptr;
}

void DeliveryLedger::setRecipients(quint32 ticket, int recipients)
{
    if (Entry *entry = find(ticket))
        entry->recipients = recipients;
}

void DeliveryLedger::addDropped(quint32 ticket)
{
    if (Entry *entry = find(ticket))
        ++entry->dropped;
}

const DeliveryLedger::Entry *DeliveryLedger::entryOf(const QByteArray &id) const
{
    const auto it = m_byId.constFind(id);
    return it == m_byId.cend() ? nullptr : &m_entries[*it - m_entries.front().ticket];
}

void DeliveryLedger::streamClosed(const SseConnection &connection)
{
    const quint32 sent = connection.lastSentTicket();
    const quint32 queued = connection.lastQueuedTicket();
    if (!after(queued, sent) || m_entries.empty())
        return;
    // Only the entries still kept: older ones have left the ledger.
    quint32 ticket = after(m_entries.front().ticket, sent) ? m_entries.front().ticket : sent + 1;
    for (; !after(ticket, queued); ++ticket) {
        Entry *entry = find(ticket);
        if (!entry)
            break;
        // A live stream received what its filter and principal accept.
        if (connection.accepts(entry->name, entry->target))
            ++entry->dropped;
    }
}

std::vector<SseConnection::Received> DeliveryLedger::received(const SseConnection &connection, int limit) const
{
    std::vector<SseConnection::Received> found;
    const quint32 first = connection.firstTicket();
    const quint32 last = connection.lastQueuedTicket();
    for (auto it = m_entries.crbegin(); it != m_entries.crend() && int(found.size()) < limit; ++it) {
        if (!after(it->ticket, first))
            break;
        if (after(it->ticket, last) || !connection.accepts(it->name, it->target))
            continue;
        found.push_back({it->id, it->name, it->bytes, it->atMs, false});
    }
    std::reverse(found.begin(), found.end());
    return found;
}

std::optional<int> DeliveryLedger::recipients(const QByteArray &id) const
{
    const Entry *entry = entryOf(id);
    return entry ? std::optional<int>(entry->recipients) : std::nullopt;
}

std::optional<DeliveryLedger::Status> DeliveryLedger::status(const QByteArray &id,
                                                            const QList<SseConnection *> &streams) const
{
    const Entry *entry = entryOf(id);
    if (!entry)
        return std::nullopt;
    Status status{entry->id, entry->recipients, 0, entry->dropped};
    for (const SseConnection *connection : streams) {
        if (connection->isFinished() || !after(entry->ticket, connection->lastSentTicket())
            || after(entry->ticket, connection->lastQueuedTicket()))
            continue;
        if (connection->accepts(entry->name, entry->target))
            ++status.queued;
    }
    return status;
}
