#pragma once

#include <QDateTime>
#include <QHash>
#include <QQueue>
#include <QString>

#include <optional>

// The sessions this server issued: session id (the HttpOnly cookie) → user id, or no user for
// an anonymous session. Only an id held here is ever adopted from a cookie, so nobody can
// choose a victim's session id in advance (session fixation), and a logged-out id is dead.
// In memory: a restart logs everyone out and issues new anonymous ids. Bounded in age and
// in size, logins and anonymous sessions each on their own (the oldest goes first), so a
// flood of anonymous requests cannot push out who is logged in.
class SessionStore final
{
public:
    explicit SessionStore(int maxSessions = 100000, qint64 lifetimeSeconds = 7 * 24 * 3600,
                          int maxAnonymous = 100000);

    // A new unguessable id (128 random bits, base64url): for logins and anonymous streams.
    static QString newId();
    static bool isWellFormedId(QStringView id);

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

    int m_maxSessions;
    int m_maxAnonymous;
    qint64 m_lifetimeSeconds;
    QHash<QString, Entry> m_sessions;
    QQueue<QString> m_loginOrder;     // creation order; ids already removed are skipped
    QQueue<QString> m_anonymousOrder; // likewise
    int m_liveLogins = 0;
    int m_liveAnonymous = 0;
};
