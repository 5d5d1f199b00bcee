#include "connectionregistry.h"

#include "sseconnection.h"

namespace {

QStringList filterKeys(const SseConnection *connection)
{
    QStringList keys;
    for (const QByteArray &name : connection->info().filter)
        keys.append(QString::fromUtf8(name));
    return keys;
}

QStringList nonEmpty(QStringList keys)
{
    keys.removeAll(QString());
    keys.removeDuplicates();
    return keys;
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

void ConnectionRegistry::index(QHash<QString, Set> &index, const QStringList &keys, SseConnection *c)
{
    for (const QString &key : keys)
        index[key].insert(c);
}

void ConnectionRegistry::unindex(QHash<QString, Set> &index, const QStringList &keys, SseConnection *c)
{
    for (const QString &key : keys) {
        auto it = index.find(key);
        if (it == index.end())
            continue;
        it->remove(c);
        if (it->isEmpty())
            index.erase(it);
    }
}

void ConnectionRegistry::add(SseConnection *connection)
{
    m_byId.insert(connection->info().id, connection);
    if (connection->info().filter.isEmpty())
        m_unfiltered.insert(connection);
    else
        index(m_byEventName, filterKeys(connection), connection);
    index(m_bySession, nonEmpty({connection->info().principal.sessionId}), connection);
    index(m_byUser, userKeys(connection), connection);
    index(m_byGroup, groupKeys(connection), connection);
}

void ConnectionRegistry::remove(SseConnection *connection)
{
    if (!m_byId.remove(connection->info().id))
        return;
    m_unfiltered.remove(connection);
    unindex(m_byEventName, filterKeys(connection), connection);
    unindex(m_bySession, nonEmpty({connection->info().principal.sessionId}), connection);
    unindex(m_byUser, userKeys(connection), connection);
    unindex(m_byGroup, groupKeys(connection), connection);
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
        if (!event.name.isEmpty()) {
            const Set named = m_byEventName.value(QString::fromUtf8(event.name));
            for (SseConnection *c : named)
                out.append(c);
        }
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

QSet<SseConnection *> ConnectionRegistry::targeted(const Target &target) const
{
    Set candidates;
    const auto collect = [&candidates](const QHash<QString, Set> &index, const QStringList &keys) {
        for (const QString &key : keys) {
            const auto it = index.constFind(key);
            if (it != index.constEnd())
                candidates.unite(*it);
        }
    };
    collect(m_bySession, target.sessions);
    collect(m_byUser, target.users);
    collect(m_byGroup, target.groups);
    return candidates;
}
