#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QQueue>
#include <QString>

#include <functional>
#include <optional>

// The sessions this server issued: session id (the HttpOnly cookie) → user id, or no user for
// an anonymous session. Only an id held here is ever adopted from a cookie, so nobody can
// choose a victim's session id in advance (session fixation), and a logged-out id is dead.
// In memory: a restart logs everyone out and issues new anonymous ids. Bounded in age and
// in size, logins and anonymous sessions each on their own (the oldest goes first), so a
// flood of anonymous requests cannot push out who is logged in.
//
// In a cluster every node must know every node's sessions (a load balancer sends a browser
// anywhere): with a shared key, logins are told to the other nodes by their keyed digest
// (never the id itself) and adopted from them; anonymous ids carry a keyed signature, so any
// node recognizes them without storing them anywhere.
class SessionStore final
{
public:
    struct Replica
    {
        QByteArray key; // shared by the cluster's nodes
        std::function<void(const QByteArray &digest, const QString &userId, const QDateTime &expiresAt)> added;
        std::function<void(const QByteArray &digest)> removed;
    };

    explicit SessionStore(int maxSessions = 100000, qint64 lifetimeSeconds = 7 * 24 * 3600,
                          int maxAnonymous = 100000);

    // A new unguessable id (128 random bits, base64url): for logins and anonymous streams.
    static QString newId();
    static bool isWellFormedId(QStringView id);

    // Joins the cluster: from now on logins are told, the ones held already at once.
    void setReplica(Replica replica);
    bool hasReplica() const { return !m_replica.key.isEmpty(); }
    // How a session id is known to the other nodes.
    QByteArray digest(const QString &sessionId) const;
    // A login of another node, or its logout.
    void adopt(const QByteArray &digest, const QString &userId, const QDateTime &expiresAt);
    void forget(const QByteArray &digest);

    QString create(const QString &userId);
    QString createAnonymous();
    // Whether the id was issued here and is still valid (logged in or anonymous).
    bool holds(const QString &sessionId) const;
    std::optional<QString> userOf(const QString &sessionId) const;
    bool remove(const QString &sessionId);
    int size() const { return int(m_sessions.size()); }

private:
    struct Entry
    {
        QString userId; // empty: anonymous
        QDateTime expiresAt;
    };
    QString add(const QString &userId, QQueue<QString> &order, int max);
    const Entry *find(const QString &sessionId) const;
    QString signedAnonymousId() const;
    QByteArray signatureOf(const QByteArray &random) const;
    // Tells the cluster of a login of this node.
    void tell(const QString &sessionId, const Entry &entry);
    bool isSignedAnonymous(const QString &sessionId) const;

    int m_maxSessions;
    int m_maxAnonymous;
    qint64 m_lifetimeSeconds;
    QHash<QString, Entry> m_sessions;
    QQueue<QString> m_loginOrder;     // creation order; ids already removed are skipped
    QQueue<QString> m_anonymousOrder; // likewise
    int m_liveLogins = 0;
    int m_liveAnonymous = 0;
    Replica m_replica;
    QHash<QByteArray, Entry> m_adopted; // other nodes' logins, by digest
    QHash<QByteArray, QString> m_issuedByDigest; // this node's logins, for a logout elsewhere
    QQueue<QByteArray> m_adoptedOrder;
};
