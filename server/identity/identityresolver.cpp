#include "identityresolver.h"

#include "bearertoken.h"
#include "jwt.h"
#include "jwtprincipal.h"
#include "publicrequest.h"
#include "sessionstore.h"
#include "userdirectory.h"

#include <QUrlQuery>

IdentityResolver::IdentityResolver(Options options, const UserDirectory *users, SessionStore *sessions)
    : m_options(std::move(options))
    , m_users(users)
    , m_sessions(sessions)
{
}

QByteArray IdentityResolver::cookie(const PublicRequest &request, QByteArrayView name)
{
    // Repeated headers arrive joined with ", " (Qt) or "; " (HTTP/2): split on both.
    const QByteArray header = request.value("Cookie");
    for (QByteArray part : header.split(';')) {
        for (QByteArray pair : part.split(',')) {
            pair = pair.trimmed();
            const qsizetype equals = pair.indexOf('=');
            if (equals > 0 && QByteArrayView(pair).first(equals) == name)
                return pair.mid(equals + 1);
        }
    }
    return {};
}

QString IdentityResolver::sessionIdOf(const PublicRequest &request) const
{
    const QString id = QString::fromLatin1(cookie(request, m_options.sessionCookie));
    return SessionStore::isWellFormedId(id) ? id : QString();
}

QByteArray IdentityResolver::sessionCookieValue(const QString &sessionId) const
{
    return m_options.sessionCookie + '=' + sessionId.toLatin1() + "; Path=/; HttpOnly"
        + (m_options.secureCookies ? "; Secure; SameSite=None" : "; SameSite=Lax");
}

QByteArray IdentityResolver::expiredSessionCookieValue() const
{
    return m_options.sessionCookie + "=; Path=/; HttpOnly; Max-Age=0"
        + (m_options.secureCookies ? "; Secure; SameSite=None" : "; SameSite=Lax");
}

IdentityResolver::Identity IdentityResolver::fromToken(QByteArrayView token, const QString &cookieSession) const
{
    Identity identity;
    if (m_options.jwtSecret.isEmpty()) {
        identity.error = QStringLiteral("tokens are not accepted: the server has no JWT secret");
        return identity;
    }
    const Jwt::Verified verified = Jwt::verify(token, m_options.jwtSecret,
                                               QDateTime::currentSecsSinceEpoch());
    if (!verified.claims) {
        identity.error = QStringLiteral("invalid token: ") + verified.error;
        return identity;
    }
    QString error;
    const std::optional<Principal> principal = JwtPrincipal::fromClaims(*verified.claims, &error);
    if (!principal) {
        identity.error = QStringLiteral("invalid token: ") + error;
        return identity;
    }
    identity.principal = *principal;
    const QJsonValue exp = verified.claims->value(QStringLiteral("exp"));
    if (exp.isDouble())
        identity.expiresAt = QDateTime::fromSecsSinceEpoch(qint64(exp.toDouble()), Qt::UTC);
    if (identity.principal.sessionId.isEmpty())
        assignSession(identity, cookieSession);
    return identity;
}

void IdentityResolver::assignSession(Identity &identity, const QString &cookieSession) const
{
    if (!cookieSession.isEmpty() && m_sessions->holds(cookieSession)) {
        identity.principal.sessionId = cookieSession;
        return;
    }
    identity.principal.sessionId = m_sessions->createAnonymous();
    identity.setCookie = sessionCookieValue(identity.principal.sessionId);
}

IdentityResolver::Identity IdentityResolver::resolve(const PublicRequest &request) const
{
    const QString cookieSession = sessionIdOf(request);
    const QByteArray authorization = request.value("Authorization");
    if (!authorization.isEmpty()) {
        const std::optional<QByteArrayView> token = BearerToken::parse(authorization);
        if (!token)
            return Identity{{}, {}, {}, QStringLiteral("Authorization must be 'Bearer <token>'")};
        return fromToken(*token, cookieSession);
    }
    // Refused like a header token when there is no secret: never a silent anonymous stream.
    if (const QByteArray token = cookie(request, m_options.jwtCookie); !token.isEmpty())
        return fromToken(token, cookieSession);
    const QUrlQuery query(request.url());
    if (query.hasQueryItem(QStringLiteral("token"))) {
        if (!m_options.allowQueryToken)
            return Identity{{}, {}, {}, QStringLiteral("?token= is disabled on this server (--allow-query-token)")};
        return fromToken(query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toLatin1(),
                         cookieSession);
    }
    Identity identity;
    if (!cookieSession.isEmpty() && m_users) {
        if (const std::optional<QString> userId = m_sessions->userOf(cookieSession)) {
            if (const UserDirectory::User *user = m_users->findById(*userId)) {
                identity.principal = m_users->principal(*user, cookieSession);
                return identity;
            }
        }
    }
    if (!m_options.allowAnonymous) {
        identity.error = QStringLiteral("authentication required");
        return identity;
    }
    assignSession(identity, cookieSession);
    return identity;
}
