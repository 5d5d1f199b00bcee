#pragma once

#include "connectionindex.h"
#include "event.h"

#include <QHash>
#include <QList>
#include <QSet>

class SseConnection;

// The open streams, indexed by every dimension an event can select on: event name (URL
// filter), session, user (id and name) and group (id and name). Finding the recipients of
// an event costs in proportion to the streams it reaches, never a scan of all streams for
// a filtered or targeted push. One registry per thread: no locking.
class ConnectionRegistry final
{
public:
    void add(SseConnection *connection);
    void remove(SseConnection *connection);
    void changeId(SseConnection *connection, quint64 id);
    SseConnection *find(quint64 id) const { return m_byId.value(id); }
    int size() const { return int(m_byId.size()); }
    QList<SseConnection *> all() const { return m_byId.values(); }
    // Open streams from one remote address (as in SseConnection::Info::remoteAddress).
    int countFrom(const QString &remoteAddress) const { return m_byAddress.value(remoteAddress); }

    // The streams that are to receive the event, each once.
    QList<SseConnection *> recipients(const Event &event) const;
    // The streams a target addresses, whatever their event filter (all for a broadcast).
    QList<SseConnection *> addressed(const Target &target) const;

private:
    using Set = QSet<SseConnection *>;
    static QStringList userKeys(const SseConnection *connection);
    static QStringList groupKeys(const SseConnection *connection);
    Set targeted(const Target &target) const;

    QHash<quint64, SseConnection *> m_byId;
    Set m_unfiltered;
    ConnectionIndex<QByteArray> m_byEventName;
    ConnectionIndex<QString> m_bySession;
    ConnectionIndex<QString> m_byUser;  // id and name
    ConnectionIndex<QString> m_byGroup; // id and name
    QHash<QString, int> m_byAddress;    // how many streams each remote address has open
};
