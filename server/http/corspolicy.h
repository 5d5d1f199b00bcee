#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

class QHttpServerRequest;

// The CORS allowlist. "*" allows every origin; as credentials are allowed, the request's
// origin is echoed instead of "*" (browsers refuse "*" with credentials).
class CorsPolicy final
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit CorsPolicy(QStringList allowedOrigins);

    enum class Verdict { NoOrigin, SameOrigin, Allowed, Refused };
    Verdict check(const QHttpServerRequest &request) const;
    // Headers for an allowed cross-origin response.
    Headers responseHeaders(const QHttpServerRequest &request) const;
    // Headers answering a preflight (OPTIONS) for an allowed origin.
    Headers preflightHeaders(const QHttpServerRequest &request,
                             const QByteArray &methods = "GET, OPTIONS") const;

private:
    QStringList m_origins;
    bool m_any;
};
