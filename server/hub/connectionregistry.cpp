#include "connectionregistry.h"

#include "sseconnection.h"

namespace {

QStringList nonEmpty(QStringList keys)
{
    keys.removeAll(QString());
    keys.removeDuplicates();
    return keys;
}

template <typename Key, typename Keys>
void index(ConnectionIndex<Key> &index, const Keys &keys, SseConnection *c)
{
    for (const Key &key : keys)
        index.insert(key, c);
}

template <typename Key, typename Keys>
void unindex(ConnectionIndex<Key> &index, const Keys &keys, SseConnection *c)
{
    for (const Key &key : keys)
        index.remove(key, c);
}

} // namespace

QStringList ConnectionRegistry::userKeys(const SseConnection *connection)
{
    const Principal &p = connection->info().principal;
    return nonEmpty({p.userId, p.userName});
}

QStringList ConnectionRegistry::groupKeys(const SseConnection *connection)
{
    const Principal &p = connection->info().principal;
    return nonEmpty(p.groupIds + p.groupNames);
}

void ConnectionRegistry::add(SseConnection *connection)
{
    const SseConnection::Info &info = connection->info();
    m_byId.insert(info.id, connection);
    if (info.filter.isEmpty())
        m_unfiltered.insert(connection);
    else
        index(m_byEventName, info.filter, connection);
    index(m_bySession, nonEmpty({info.principal.sessionId}), connection);
    index(m_byUser, userKeys(connection), connection);
    index(m_byGroup, groupKeys(connection), connection);
    ++m_byAddress[info.remoteAddress];
}

void ConnectionRegistry::remove(SseConnection *connection)
{
    const SseConnection::Info &info = connection->info();
    if (!m_byId.remove(info.id))
        return;
    m_unfiltered.remove(connection);
    unindex(m_byEventName, info.filter, connection);
    unindex(m_bySession, nonEmpty({info.principal.sessionId}), connection);
    unindex(m_byUser, userKeys(connection), connection);
    unindex(m_byGroup, groupKeys(connection), connection);
    if (const auto it = m_byAddress.find(info.remoteAddress); it != m_byAddress.end() && --*it <= 0)
        m_byAddress.erase(it);
}

void ConnectionRegistry::changeId(SseConnection *connection, quint64 id)
{
    if (!m_byId.remove(connection->info().id))
        return;
    connection->setId(id);
    m_byId.insert(id, connection);
}

QList<SseConnection *> ConnectionRegistry::recipients(const Event &event) const
{
    QList<SseConnection *> out;
    if (event.target.isBroadcast()) {
        // Unfiltered streams take everything; filtered ones only their named events. The two
        // sets are disjoint, so nobody is visited twice.
        out.reserve(m_unfiltered.size());
        for (SseConnection *c : m_unfiltered)
            out.append(c);
        if (!event.name.isEmpty())
            m_byEventName.forEach(event.name, [&out](SseConnection *c) { out.append(c); });
        return out;
    }
    const Set candidates = targeted(event.target);
    for (SseConnection *c : candidates) {
        if (c->acceptsName(event.name))
            out.append(c);
    }
    return out;
}

QList<SseConnection *> ConnectionRegistry::addressed(const Target &target) const
{
    if (target.isBroadcast())
        return all();
    const Set set = targeted(target);
    return QList<SseConnection *>(set.begin(), set.end());
}

ConnectionRegistry::Set ConnectionRegistry::targeted(const Target &target) const
{
    Set candidates;
    const auto collect = [&candidates](const ConnectionIndex<QString> &index, const QStringList &keys) {
        for (const QString &key : keys)
            index.forEach(key, [&candidates](SseConnection *c) { candidates.insert(c); });
    };
    collect(m_bySession, target.sessions);
    collect(m_byUser, target.users);
    collect(m_byGroup, target.groups);
    return candidates;
}
