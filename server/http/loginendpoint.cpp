#include "loginendpoint.h"

#include "clientaddress.h"
#include "httpreply.h"
#include "hub.h"
#include "identityresolver.h"
#include "passwordchecker.h"
#include "publicrequest.h"
#include "publicresponder.h"
#include "sessionstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <memory>

Q_LOGGING_CATEGORY(lcLogin, "eventsource.server.http.login")

namespace {

using Status = QHttpServerResponder::StatusCode;

struct Credentials
{
    QString name;
    QString password;
};

std::optional<Credentials> readCredentials(const PublicRequest &request)
{
    const QByteArray type = request.value("Content-Type").toLower();
    if (type.startsWith("application/x-www-form-urlencoded")) {
        QByteArray body = request.body();
        body.replace('+', ' ');
        const QUrlQuery form(QString::fromUtf8(body));
        const auto field = [&form](const char *key) {
            return form.queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
        };
        const QString name = field("username").isEmpty() ? field("name") : field("username");
        return Credentials{name, field("password")};
    }
    const QJsonDocument document = QJsonDocument::fromJson(request.body());
    if (!document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    const QJsonValue name = object.contains(QStringLiteral("username")) ? object.value(QStringLiteral("username"))
                                                                         : object.value(QStringLiteral("name"));
    const QJsonValue password = object.value(QStringLiteral("password"));
    if (!name.isString() || !password.isString())
        return std::nullopt;
    return Credentials{name.toString(), password.toString()};
}

} // namespace

LoginEndpoint::LoginEndpoint(Hub *hub, const UserDirectory *users, PasswordChecker *checker,
                             SessionStore *sessions, const IdentityResolver *identity, CorsPolicy cors,
                             FailureThrottle::Options throttle)
    : m_hub(hub)
    , m_users(users)
    , m_checker(checker)
    , m_sessions(sessions)
    , m_identity(identity)
    , m_cors(std::move(cors))
    , m_byAddress(throttle)
    , m_byName(throttle)
{
    m_clock.start();
}

bool LoginEndpoint::handles(const QString &path)
{
    return path == QLatin1String("/login") || path == QLatin1String("/logout");
}

void LoginEndpoint::handle(const PublicRequest &request, std::unique_ptr<PublicResponder> responder)
{
    const CorsPolicy::Verdict verdict = m_cors.check(request);
    if (verdict == CorsPolicy::Verdict::Refused)
        return HttpReply::error(*responder, Status::Forbidden, QStringLiteral("origin not allowed"));
    if (request.method() == PublicRequest::Method::Options) {
        const CorsPolicy::Headers headers = verdict == CorsPolicy::Verdict::Allowed
            ? m_cors.preflightHeaders(request, "POST, OPTIONS")
            : CorsPolicy::Headers{{"Allow", "POST, OPTIONS"}};
        return HttpReply::raw(*responder, Status::NoContent, "text/plain", {}, headers);
    }
    const CorsPolicy::Headers cors =
        verdict == CorsPolicy::Verdict::Allowed ? m_cors.responseHeaders(request) : CorsPolicy::Headers{};
    if (request.method() != PublicRequest::Method::Post) {
        CorsPolicy::Headers headers = cors;
        headers.append(std::pair<QByteArray, QByteArray>("Allow", "POST, OPTIONS"));
        return HttpReply::error(*responder, Status::MethodNotAllowed, QStringLiteral("use POST"), headers);
    }
    if (!m_users)
        return HttpReply::error(*responder, Status::NotFound,
                                QStringLiteral("login is not enabled on this server (no --users)"), cors);
    if (request.url().path() == QLatin1String("/login"))
        return login(request, std::move(responder), cors);
    logout(request, *responder, cors);
}

void LoginEndpoint::login(const PublicRequest &request, std::unique_ptr<PublicResponder> responder,
                          const CorsPolicy::Headers &cors)
{
    const std::optional<Credentials> credentials = readCredentials(request);
    if (!credentials)
        return HttpReply::error(*responder, Status::BadRequest,
                                QStringLiteral("send {\"username\": ..., \"password\": ...} as JSON or a form"), cors);
    const QString address = ClientAddress::throttleKey(request.remoteAddress());
    const QString name = credentials->name.left(256);
    const int wait = qMax(m_byAddress.retryAfterSeconds(address, m_clock.elapsed()),
                          m_byName.retryAfterSeconds(name.toCaseFolded(), m_clock.elapsed()));
    if (wait > 0) {
        CorsPolicy::Headers headers = cors;
        headers.append(std::pair<QByteArray, QByteArray>("Retry-After", QByteArray::number(wait)));
        return HttpReply::error(*responder, Status::TooManyRequests,
                                QStringLiteral("too many failed logins; retry later"), headers);
    }
    // Charged now, refunded if the password is right: attempts sent together count at once.
    const QString nameKey = name.toCaseFolded();
    m_byAddress.recordFailure(address, m_clock.elapsed());
    m_byName.recordFailure(nameKey, m_clock.elapsed());
    const auto refund = [this, address, nameKey] {
        m_byAddress.refund(address, m_clock.elapsed());
        m_byName.refund(nameKey, m_clock.elapsed());
    };
    // The answer comes once the worker has checked the password; the responder's context
    // goes with the connection, so nothing is written to one that has gone meanwhile.
    std::shared_ptr<PublicResponder> pending = std::move(responder);
    const QString previous = m_identity->sessionIdOf(request);
    const QString peer = ClientAddress::text(request.remoteAddress());
    const bool queued = m_checker->check(name, credentials->password, pending->context(),
        [this, pending, cors, name, previous, peer, refund](const UserDirectory::User *user) {
            if (user) {
                refund();
                return loggedIn(*pending, *user, previous, cors);
            }
            qCInfo(lcLogin).nospace() << "login refused user=" << name.left(64) << " peer=" << peer;
            HttpReply::error(*pending, Status::Unauthorized, QStringLiteral("wrong user name or password"), cors);
        });
    if (!queued) {
        refund();
        CorsPolicy::Headers headers = cors;
        headers.append(std::pair<QByteArray, QByteArray>("Retry-After", "1"));
        HttpReply::error(*pending, Status::ServiceUnavailable, QStringLiteral("too many logins at once; retry"),
                         headers);
    }
}

void LoginEndpoint::loggedIn(PublicResponder &responder, const UserDirectory::User &user,
                             const QString &previous, CorsPolicy::Headers headers)
{
    // A fresh session id (no fixation); the streams of the old one close and reconnect.
    if (!previous.isEmpty()) {
        m_sessions->remove(previous);
        m_hub->closeSession(previous);
    }
    const QString session = m_sessions->create(user.id);
    qCInfo(lcLogin).nospace() << "login user=" << user.id;
    headers.append(std::pair<QByteArray, QByteArray>("Set-Cookie", m_identity->sessionCookieValue(session)));
    HttpReply::json(responder, {{QStringLiteral("user"),
                                 QJsonObject{{QStringLiteral("id"), user.id},
                                             {QStringLiteral("name"), user.name},
                                             {QStringLiteral("groups"), QJsonArray::fromStringList(user.groupNames)}}}},
                    Status::Ok, headers);
}

void LoginEndpoint::logout(const PublicRequest &request, PublicResponder &responder, const CorsPolicy::Headers &cors)
{
    const QString session = m_identity->sessionIdOf(request);
    const bool loggedIn = !session.isEmpty() && m_sessions->userOf(session).has_value();
    if (!session.isEmpty()) {
        m_sessions->remove(session);
        m_hub->closeSession(session);
    }
    CorsPolicy::Headers headers = cors;
    headers.append(std::pair<QByteArray, QByteArray>("Set-Cookie", m_identity->expiredSessionCookieValue()));
    HttpReply::json(responder, {{QStringLiteral("loggedOut"), loggedIn}}, Status::Ok, headers);
}
