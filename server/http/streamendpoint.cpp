#include "streamendpoint.h"

#include "clientaddress.h"
#include "httpreply.h"
#include "fanout.h"
#include "faultinjector.h"
#include "identityresolver.h"
#include "publicrequest.h"
#include "publicresponder.h"
#include "sseencoder.h"

#include <QLoggingCategory>
#include <QSet>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcEndpoint, "eventsource.server.http.stream", QtInfoMsg)

namespace {

using Status = QHttpServerResponder::StatusCode;
constexpr qsizetype maxLastEventIdBytes = 256;

// The 401 challenge, for a refused identity and a reject fault with 401 alike.
const std::pair<QByteArray, QByteArray> bearerChallenge{"WWW-Authenticate", "Bearer realm=\"eventsource\""};

} // namespace

StreamEndpoint::StreamEndpoint(Fanout *fanout, const IdentityResolver *identity, HttpLimitStats *stats,
                               Options options)
    : m_fanout(fanout)
    , m_identity(identity)
    , m_stats(stats)
    , m_options(std::move(options))
    , m_cors(m_options.allowOrigins)
{
}

void StreamEndpoint::handle(const PublicRequest &request, PublicResponder &responder)
{
    const QString path = request.url().path();
    QByteArrayList filter;
    if (path != m_options.path && path != m_options.path + u'/') {
        if (!path.startsWith(m_options.path + u'/'))
            return HttpReply::error(responder, Status::NotFound, QStringLiteral("not found"));
        const QStringList names = path.mid(m_options.path.size() + 1).split(u',', Qt::SkipEmptyParts);
        if (names.size() > m_options.maxFilterNames) {
            ++m_stats->filtersRefused;
            return HttpReply::error(responder, Status::BadRequest,
                                    QStringLiteral("filter: at most %1 event names").arg(m_options.maxFilterNames));
        }
        QSet<QByteArray> seen;
        seen.reserve(names.size());
        for (const QString &name : names) {
            const QByteArray utf8 = name.toUtf8();
            if (const QString error = Event::nameError(utf8); !error.isEmpty())
                return HttpReply::error(responder, Status::BadRequest, QStringLiteral("filter: ") + error);
            if (!seen.contains(utf8)) {
                seen.insert(utf8);
                filter.append(utf8);
            }
        }
    }

    const CorsPolicy::Verdict cors = m_cors.check(request);
    if (request.method() == PublicRequest::Method::Options) {
        if (cors == CorsPolicy::Verdict::Refused)
            return HttpReply::error(responder, Status::Forbidden, QStringLiteral("origin not allowed"));
        const CorsPolicy::Headers headers = cors == CorsPolicy::Verdict::Allowed
            ? m_cors.preflightHeaders(request)
            : CorsPolicy::Headers{{"Allow", "GET, OPTIONS"}};
        return HttpReply::raw(responder, Status::NoContent, "text/plain", {}, headers);
    }
    if (request.method() != PublicRequest::Method::Get)
        return HttpReply::error(responder, Status::MethodNotAllowed,
                                QStringLiteral("use GET to open an event stream"),
                                {{"Allow", "GET, OPTIONS"}});
    const CorsPolicy::Headers corsHeaders =
        cors == CorsPolicy::Verdict::Allowed ? m_cors.responseHeaders(request) : CorsPolicy::Headers{};
    if (cors == CorsPolicy::Verdict::Refused)
        return HttpReply::error(responder, Status::Forbidden, QStringLiteral("origin not allowed"));

    std::optional<QByteArray> lastEventId;
    QByteArray idText = request.value("Last-Event-ID");
    SseConnection::ResumeVia via = SseConnection::ResumeVia::Header;
    if (idText.isEmpty()) {
        const QUrlQuery query(request.url());
        idText = query.queryItemValue(QStringLiteral("lastEventId"), QUrl::FullyDecoded).toUtf8();
        via = SseConnection::ResumeVia::Query;
    }
    if (!idText.isEmpty()) {
        if (idText.size() > maxLastEventIdBytes || !SseEncoder::isSingleLine(idText))
            return HttpReply::error(responder, Status::BadRequest,
                                    QStringLiteral("Last-Event-ID must be at most %1 bytes on one line")
                                        .arg(maxLastEventIdBytes), corsHeaders);
        lastEventId = idText;
    }

    const IdentityResolver::Identity identity = m_identity->resolve(request);
    if (!identity.error.isEmpty()) {
        CorsPolicy::Headers headers = corsHeaders;
        headers.append(bearerChallenge);
        return HttpReply::error(responder, Status::Unauthorized, identity.error, headers);
    }

    if (m_faults) {
        if (const std::optional<FaultInjector::Rejection> rejection = m_faults->takeRejection(identity.principal))
            return rejectForTest(responder, rejection->status, rejection->retryAfterS, corsHeaders);
    }

    if (m_fanout->connectionCount() >= m_options.maxConnections)
        return refuseBusy(responder, Status::ServiceUnavailable, QStringLiteral("too many connections"), corsHeaders);
    const QString remoteAddress = ClientAddress::text(request.remoteAddress());
    if (m_options.maxConnectionsPerIp > 0 && m_fanout->connectionsFrom(remoteAddress) >= m_options.maxConnectionsPerIp)
        return refuseBusy(responder, Status::TooManyRequests,
                          QStringLiteral("too many streams from this address"), corsHeaders);

    CorsPolicy::Headers headers = corsHeaders;
    if (!identity.setCookie.isEmpty())
        headers.append(std::pair<QByteArray, QByteArray>("Set-Cookie", identity.setCookie));
    std::unique_ptr<StreamSink> sink = responder.startStream(headers);
    if (!sink) {
        ++m_stats->streamsRejected;
        return HttpReply::error(responder, Status::ServiceUnavailable, QStringLiteral("out of descriptors"),
                                corsHeaders);
    }

    Fanout::StreamRequest stream;
    stream.info.principal = identity.principal;
    stream.info.expiresAt = identity.expiresAt;
    stream.info.filter = filter;
    stream.info.remoteAddress = remoteAddress;
    stream.info.userAgent = QString::fromUtf8(request.value("User-Agent").left(512));
    stream.info.connectedAt = QDateTime::currentDateTimeUtc();
    stream.info.protocol = responder.protocol();
    stream.lastEventId = lastEventId;
    stream.lastEventIdVia = via;
    const SseConnection *opened = m_fanout->open(std::move(stream), std::move(sink));
    qCDebug(lcEndpoint).nospace() << "stream opened id=" << opened->info().id
                                  << " peer=" << opened->info().remoteAddress
                                  << " user=" << opened->info().principal.userId
                                  << " filter=" << filter.join(',') << " resume=" << bool(lastEventId);
}

void StreamEndpoint::rejectForTest(PublicResponder &responder, int status, int retryAfterS,
                                   CorsPolicy::Headers headers)
{
    if (status == 204)
        return HttpReply::raw(responder, Status::NoContent, "text/plain", {}, headers);
    if (status == 401)
        headers.append(bearerChallenge);
    if (retryAfterS > 0)
        headers.append(std::pair<QByteArray, QByteArray>("Retry-After", QByteArray::number(retryAfterS)));
    HttpReply::error(responder, Status(status), QStringLiteral("refused by a test fault (--test-faults)"), headers);
}

void StreamEndpoint::refuseBusy(PublicResponder &responder, QHttpServerResponder::StatusCode status,
                                const QString &message, const CorsPolicy::Headers &cors)
{
    if (status == Status::TooManyRequests)
        ++m_stats->streamsRejectedPerAddress;
    else
        ++m_stats->streamsRejected;
    CorsPolicy::Headers headers = cors;
    headers.append(std::pair<QByteArray, QByteArray>("Retry-After", QByteArray::number(qMax(1, m_options.retryMs / 1000))));
    HttpReply::error(responder, status, message, headers);
}
