#pragma once

#include "principal.h"

#include <QByteArray>
#include <QDateTime>

class PublicRequest;
class SessionStore;
class UserDirectory;

// Who a stream request comes from. In order: "Authorization: Bearer <jwt>", the JWT
// cookie, "?token=<jwt>" (only when allowed: URLs end up in logs), the login session cookie;
// otherwise anonymous with a session cookie of its own. A token that is present but invalid
// or expired is an error, never a silent anonymous stream. A session cookie counts only if
// this server issued that id and still holds it (SessionStore); otherwise a new one is issued.
class IdentityResolver final
{
public:
    struct Options
    {
        QByteArray jwtSecret;
        QByteArray jwtCookie = "eventsource_token";
        QByteArray sessionCookie = "eventsource_session";
        bool allowQueryToken = false;
        bool allowAnonymous = true;
        bool secureCookies = false;
    };

    struct Identity
    {
        Principal principal;
        QDateTime expiresAt;       // the token's exp; invalid when none
        QByteArray setCookie;      // a Set-Cookie value to send, when a session was started
        QString error;             // set: answer 401 with it
    };

    IdentityResolver(Options options, const UserDirectory *users, SessionStore *sessions);

    Identity resolve(const PublicRequest &request) const;

    // The value of one cookie of the request's Cookie header(s), or empty.
    static QByteArray cookie(const PublicRequest &request, QByteArrayView name);
    QByteArray sessionCookieValue(const QString &sessionId) const;
    QByteArray expiredSessionCookieValue() const;
    QString sessionIdOf(const PublicRequest &request) const;

private:
    Identity fromToken(QByteArrayView token, const QString &cookieSession) const;
    // The principal's session: the cookie's when this server holds it, else a new one to set.
    void assignSession(Identity &identity, const QString &cookieSession) const;

    Options m_options;
    const UserDirectory *m_users;
    SessionStore *m_sessions;
};
