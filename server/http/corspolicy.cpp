#include "corspolicy.h"

#include "publicrequest.h"

#include <QUrl>

namespace {

QString normalised(const QString &origin)
{
    QString text = origin.trimmed().toLower();
    while (text.endsWith(u'/'))
        text.chop(1);
    return text;
}

} // namespace

CorsPolicy::CorsPolicy(QStringList allowedOrigins)
    : m_any(allowedOrigins.contains(QStringLiteral("*")))
{
    for (const QString &origin : allowedOrigins)
        m_origins.append(normalised(origin));
}

CorsPolicy::Verdict CorsPolicy::check(const PublicRequest &request) const
{
    return check(request.value("Origin"), request.value("Host"));
}

CorsPolicy::Verdict CorsPolicy::check(const QByteArray &origin, const QByteArray &hostHeader) const
{
    if (origin.isEmpty())
        return Verdict::NoOrigin;
    const QUrl url(QString::fromUtf8(origin));
    const QByteArray host = hostHeader.toLower();
    QString authority = url.host().toLower();
    if (authority.contains(u':'))
        authority = u'[' + authority + u']'; // an IPv6 literal, as Host writes it
    if (url.port() >= 0)
        authority += QStringLiteral(":%1").arg(url.port());
    if (!host.isEmpty() && authority == QString::fromUtf8(host))
        return Verdict::SameOrigin;
    if (m_any || isListed(origin))
        return Verdict::Allowed;
    return Verdict::Refused;
}

bool CorsPolicy::isListed(const QByteArray &origin) const
{
    return origin != "null" && m_origins.contains(normalised(QString::fromUtf8(origin)));
}

CorsPolicy::Headers CorsPolicy::responseHeaders(const PublicRequest &request) const
{
    const QByteArray origin = request.value("Origin");
    if (!isListed(origin))
        return {{"Access-Control-Allow-Origin", "*"}, {"Vary", "Origin"}};
    return {{"Access-Control-Allow-Origin", origin},
            {"Access-Control-Allow-Credentials", "true"},
            {"Vary", "Origin"}};
}

CorsPolicy::Headers CorsPolicy::preflightHeaders(const PublicRequest &request,
                                                 const QByteArray &methods) const
{
    Headers headers = responseHeaders(request);
    headers.append(std::pair<QByteArray, QByteArray>("Access-Control-Allow-Methods", methods));
    headers.append(std::pair<QByteArray, QByteArray>("Access-Control-Allow-Headers", allowedHeaders));
    headers.append(std::pair<QByteArray, QByteArray>("Access-Control-Max-Age", "600"));
    return headers;
}
