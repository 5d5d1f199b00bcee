#include "sessionstore.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace {

constexpr qsizetype signedIdBytes = 24; // 16 random, 8 of their signature

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

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
    if (id.size() != 22 && id.size() != 32) // plain, or signed for a cluster
        return false;
    return std::all_of(id.begin(), id.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'-' || c == u'_';
    });
}

void SessionStore::setReplica(Replica replica)
{
    m_replica = std::move(replica);
    // Logins made before the cluster could be told (Redis was not there yet) are told now.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        if (!it->userId.isEmpty() && it->expiresAt > now)
            tell(it.key(), *it);
    }
}

void SessionStore::tell(const QString &sessionId, const Entry &entry)
{
    const QByteArray key = digest(sessionId);
    m_issuedByDigest.insert(key, sessionId);
    if (m_replica.added)
        m_replica.added(key, entry.userId, entry.expiresAt);
}

QByteArray SessionStore::digest(const QString &sessionId) const
{
    return QMessageAuthenticationCode::hash(sessionId.toLatin1(), m_replica.key, QCryptographicHash::Sha256)
        .first(16).toHex();
}

QString SessionStore::create(const QString &userId)
{
    const QString id = add(userId, m_loginOrder, m_maxSessions);
    if (hasReplica())
        tell(id, m_sessions.value(id));
    return id;
}

QString SessionStore::createAnonymous()
{
    // Signed in a cluster: every node recognizes it, none has to store it.
    if (hasReplica())
        return signedAnonymousId();
    return add(QString(), m_anonymousOrder, m_maxAnonymous);
}

QByteArray SessionStore::signatureOf(const QByteArray &random) const
{
    return QMessageAuthenticationCode::hash(random, m_replica.key, QCryptographicHash::Sha256).first(8);
}

QString SessionStore::signedAnonymousId() const
{
    quint64 bits[2];
    QRandomGenerator::system()->fillRange(bits);
    const QByteArray random(reinterpret_cast<const char *>(bits), sizeof bits);
    return QString::fromLatin1(base64Url(random + signatureOf(random)));
}

bool SessionStore::isSignedAnonymous(const QString &sessionId) const
{
    if (!hasReplica() || sessionId.size() != 32)
        return false;
    const QByteArray bytes = QByteArray::fromBase64(sessionId.toLatin1(), QByteArray::Base64UrlEncoding
                                                                              | QByteArray::OmitTrailingEquals);
    if (bytes.size() != signedIdBytes)
        return false;
    const QByteArray expected = signatureOf(bytes.first(16));
    // Constant time: the signature is what a forger would guess at.
    char difference = 0;
    for (qsizetype i = 0; i < 8; ++i)
        difference |= char(expected[i] ^ bytes[16 + i]);
    return difference == 0;
}

void SessionStore::adopt(const QByteArray &digest, const QString &userId, const QDateTime &expiresAt)
{
    if (expiresAt <= QDateTime::currentDateTimeUtc() || userId.isEmpty())
        return;
    while (m_adopted.size() >= m_maxSessions && !m_adoptedOrder.isEmpty())
        m_adopted.remove(m_adoptedOrder.dequeue());
    while (m_adoptedOrder.size() > 2 * qsizetype(m_maxSessions) && !m_adopted.contains(m_adoptedOrder.head()))
        m_adoptedOrder.dequeue();
    m_adopted.insert(digest, Entry{userId, expiresAt});
    m_adoptedOrder.enqueue(digest);
}

void SessionStore::forget(const QByteArray &digest)
{
    m_adopted.remove(digest);
    // A login of this node, logged out on another.
    const QString issued = m_issuedByDigest.take(digest);
    if (const auto it = m_sessions.find(issued); !issued.isEmpty() && it != m_sessions.end()) {
        --m_liveLogins;
        m_sessions.erase(it);
    }
}

QString SessionStore::add(const QString &userId, QQueue<QString> &order, int max)
{
    int &live = userId.isEmpty() ? m_liveAnonymous : m_liveLogins;
    while (live >= max && !order.isEmpty()) {
        const QString oldest = order.dequeue();
        if (m_sessions.remove(oldest)) {
            --live;
            if (hasReplica())
                m_issuedByDigest.remove(digest(oldest));
        }
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
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto it = m_sessions.constFind(sessionId);
    if (it != m_sessions.constEnd())
        return it->expiresAt > now ? &*it : nullptr;
    if (!hasReplica() || m_adopted.isEmpty())
        return nullptr;
    const auto adopted = m_adopted.constFind(digest(sessionId));
    if (adopted == m_adopted.constEnd() || adopted->expiresAt <= now)
        return nullptr;
    return &*adopted;
}

bool SessionStore::holds(const QString &sessionId) const
{
    return find(sessionId) != nullptr || isSignedAnonymous(sessionId);
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
    bool adopted = false;
    if (hasReplica()) {
        // Logged out everywhere, wherever it was issued.
        const QByteArray key = digest(sessionId);
        adopted = m_adopted.remove(key);
        const bool login = it != m_sessions.end() && !it->userId.isEmpty();
        if (login)
            m_issuedByDigest.remove(key);
        if ((adopted || login) && m_replica.removed)
            m_replica.removed(key);
    }
    if (it == m_sessions.end())
        return adopted || isSignedAnonymous(sessionId);
    --(it->userId.isEmpty() ? m_liveAnonymous : m_liveLogins);
    m_sessions.erase(it);
    return true;
}
