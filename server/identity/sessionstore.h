#pragma once

#include <QDateTime>
#include <QHash>
#include <QQueue>
#include <QString>

#include <optional>

// Login sessions: session id (the HttpOnly cookie) → user id. In memory: a restart logs
// everyone out, and their streams come back anonymous. Bounded in size (the oldest session
// goes first) and in age.
class SessionStore final
{
public:
    explicit SessionStore(int maxSessions = 100000, qint64 lifetimeSeconds = 7 * 24 * 3600);

    // A new unguessable id (128 random bits, base64url): for logins and anonymous streams.
    static QString newId();
    static bool isWellFormedId(QStringView id);

    QString create(const QString &userId);
    std::optional<QString> userOf(const QString &sessionId) const;
    bool remove(const QString &sessionId);
    int size() const { return int(m_sessions.size()); }

private:
    struct Entry
    {
        QString userId;
        QDateTime expiresAt;
    };
    int m_maxSessions;
    qint64 m_lifetimeSeconds;
    QHash<QString, Entry> m_sessions;
    QQueue<QString> m_order; // creation order; ids already removed are skipped
};
