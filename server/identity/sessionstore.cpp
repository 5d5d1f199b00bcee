#include "sessionstore.h"

#include <QRandomGenerator>

SessionStore::SessionStore(int maxSessions, qint64 lifetimeSeconds, int maxAnonymous)
    : m_maxSessions(qMax(1, maxSessions))
    , m_maxAnonymous(qMax(1, maxAnonymous))
    , m_lifetimeSeconds(lifetimeSeconds)
{
}

QString SessionStore::newId()
{
    quint64 bits[2];
    QRandomGenerator::system()->fillRange(bits);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(bits), sizeof bits)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool SessionStore::isWellFormedId(QStringView id)
{
    if (id.size() != 22)
        return false;
    return std::all_of(id.begin(), id.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'-' || c == u'_';
    });
}

QString SessionStore::create(const QString &userId)
{
    return add(userId, m_loginOrder, m_maxSessions);
}

QString SessionStore::createAnonymous()
{
    return add(QString(), m_anonymousOrder, m_maxAnonymous);
}

QString SessionStore::add(const QString &userId, QQueue<QString> &order, int max)
{
    int &live = userId.isEmpty() ? m_liveAnonymous : m_liveLogins;
    while (live >= max && !order.isEmpty()) {
        if (m_sessions.remove(order.dequeue()))
            --live;
    }
    // The queue may hold ids removed by logout; keep it from growing past twice the bound.
    while (order.size() > 2 * qsizetype(max) && !m_sessions.contains(order.head()))
        order.dequeue();
    const QString id = newId();
    m_sessions.insert(id, Entry{userId, QDateTime::currentDateTimeUtc().addSecs(m_lifetimeSeconds)});
    order.enqueue(id);
    ++live;
    return id;
}

const SessionStore::Entry *SessionStore::find(const QString &sessionId) const
{
    const auto it = m_sessions.constFind(sessionId);
    if (it == m_sessions.constEnd() || it->expiresAt <= QDateTime::currentDateTimeUtc())
        return nullptr;
    return &*it;
}

bool SessionStore::holds(const QString &sessionId) const
{
    return find(sessionId) != nullptr;
}

std::optional<QString> SessionStore::userOf(const QString &sessionId) const
{
    const Entry *entry = find(sessionId);
    if (!entry || entry->userId.isEmpty())
        return std::nullopt;
    return entry->userId;
}

bool SessionStore::remove(const QString &sessionId)
{
    const auto it = m_sessions.find(sessionId);
    if (it == m_sessions.end())
        return false;
    --(it->userId.isEmpty() ? m_liveAnonymous : m_liveLogins);
    m_sessions.erase(it);
    return true;
}
