#pragma once

#include <QByteArray>
#include <QList>
#include <QStringList>

class PublicRequest;

// The CORS allowlist. A listed origin is echoed with credentials allowed (cookies, so login
// sessions work cross-site). "*" allows every other origin too, but only as
// "Access-Control-Allow-Origin: *" without credentials: reflecting any origin with
// credentials would let every site read a logged-in user's private stream. The opaque
// origin "null" (sandboxed frames, file://) is never echoed.
class CorsPolicy final
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    explicit CorsPolicy(QStringList allowedOrigins);

    enum class Verdict { NoOrigin, SameOrigin, Allowed, Refused };
    Verdict check(const PublicRequest &request) const;
    // The same from the raw Origin and Host header values (a WebSocket handshake).
    Verdict check(const QByteArray &origin, const QByteArray &host) const;
    // Headers for an allowed cross-origin response.
    Headers responseHeaders(const PublicRequest &request) const;
    // Headers answering a preflight (OPTIONS) for an allowed origin: the fixed list of
    // request headers the endpoints read, never an echo of what was asked for.
    Headers preflightHeaders(const PublicRequest &request,
                             const QByteArray &methods = "GET, OPTIONS") const;

    // The headers a preflight allows.
    static constexpr char allowedHeaders[] = "Last-Event-ID, Authorization, Cache-Control, Content-Type";

private:
    bool isListed(const QByteArray &origin) const;

    QStringList m_origins;
    bool m_any;
};
