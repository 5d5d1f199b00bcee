#include "sessionstore.h"

#include <QRandomGenerator>

SessionStore::SessionStore(int maxSessions, qint64 lifetimeSeconds)
    : m_maxSessions(qMax(1, maxSessions))
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
    while (m_sessions.size() >= m_maxSessions && !m_order.isEmpty())
        m_sessions.remove(m_order.dequeue());
    // The queue may hold ids removed by logout; keep it from growing past twice the map.
    while (m_order.size() > 2 * qsizetype(m_maxSessions) && !m_sessions.contains(m_order.head()))
        m_order.dequeue();
    const QString id = newId();
    m_sessions.insert(id, Entry{userId, QDateTime::currentDateTimeUtc().addSecs(m_lifetimeSeconds)});
    m_order.enqueue(id);
    return id;
}

std::optional<QString> SessionStore::userOf(const QString &sessionId) const
{
    const auto it = m_sessions.constFind(sessionId);
    if (it == m_sessions.constEnd() || it->expiresAt <= QDateTime::currentDateTimeUtc())
        return std::nullopt;
    return it->userId;
}

bool SessionStore::remove(const QString &sessionId)
{
    return m_sessions.remove(sessionId);
}
