#include "adminauth.h"

#include "bearertoken.h"
#include "clientaddress.h"
#include "constanttime.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdminAuth, "eventsource.server.admin.auth")

AdminAuth::AdminAuth(QByteArray token, FailureThrottle::Options throttle)
    : m_token(std::move(token))
    , m_throttle(throttle)
{
    m_clock.start();
}

AdminAuth::Result AdminAuth::checkHeader(QByteArrayView authorization, const QHostAddress &peer,
                                         const char *channel)
{
    if (authorization.isEmpty()) {
        Result result{Verdict::Missing, 0};
        logRefusal(result, peer, channel);
        return result;
    }
    return checkToken(BearerToken::parse(authorization).value_or(QByteArrayView()), peer, channel);
}

AdminAuth::Result AdminAuth::checkToken(QByteArrayView token, const QHostAddress &peer, const char *channel)
{
    const QString key = ClientAddress::throttleKey(peer);
    const qint64 now = m_clock.elapsed();
    Result result;
    // A throttled address is refused before the comparison: guesses then tell nothing.
    if (const int wait = m_throttle.retryAfterSeconds(key, now); wait > 0) {
        result = Result{Verdict::Throttled, wait};
    } else if (!token.isEmpty() && ConstantTime::equal(token, m_token)) {
        return Result{Verdict::Allowed, 0};
    } else {
        m_throttle.recordFailure(key, now);
        result = Result{Verdict::Wrong, 0};
    }
    logRefusal(result, peer, channel);
    return result;
}

void AdminAuth::logRefusal(const Result &result, const QHostAddress &peer, const char *channel)
{
    ++m_refusals;
    const std::optional<qint64> heldBack = m_log.admit();
    if (!heldBack)
        return;
    const char *reason = result.verdict == Verdict::Missing ? "missing"
        : result.verdict == Verdict::Throttled              ? "throttled"
                                                            : "wrong";
    qCWarning(lcAdminAuth).nospace().noquote() << "admin token refused channel=" << channel << " reason=" << reason
                                               << " peer=" << ClientAddress::text(peer)
                                               << " refusals_not_logged=" << *heldBack;
}
