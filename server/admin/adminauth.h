#pragma once

#include "failurethrottle.h"
#include "logthrottle.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>

// The admin token check shared by the admin API and the control channel: constant-time
// comparison, repeated failures from one address throttled (429 / close), and refusals
// logged with the peer address, at most one line a second (the rest are counted into it).
class AdminAuth final
{
public:
    enum class Verdict { Allowed, Missing, Wrong, Throttled };
    struct Result
    {
        Verdict verdict = Verdict::Missing;
        int retryAfterSeconds = 0;
        bool allowed() const { return verdict == Verdict::Allowed; }
    };

    AdminAuth(QByteArray token, FailureThrottle::Options throttle);

    // An "Authorization: Bearer <token>" header value (empty: none was sent).
    Result checkHeader(QByteArrayView authorization, const QHostAddress &peer, const char *channel);
    Result checkToken(QByteArrayView token, const QHostAddress &peer, const char *channel);
    qint64 refusals() const { return m_refusals; }

private:
    void logRefusal(const Result &result, const QHostAddress &peer, const char *channel);

    QByteArray m_token;
    FailureThrottle m_throttle;
    QElapsedTimer m_clock;
    qint64 m_refusals = 0;
    LogThrottle m_log;
};
