#include "adminendpoint.h"

#include "constanttime.h"

#include "httpreply.h"
#include "hub.h"
#include "metricsformatter.h"
#include "pauserequest.h"
#include "pushrequest.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QUrlQuery>

Q_LOGGING_CATEGORY(lcAdmin, "eventsource.server.admin")

namespace {

using Status = QHttpServerResponder::StatusCode;
using Method = QHttpServerRequest::Method;

QJsonValue nullable(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

Status statusFor(Hub::PublishError error)
{
    return error == Hub::PublishError::TooLarge ? Status::PayloadTooLarge : Status::BadRequest;
}

void methodNotAllowed(QHttpServerResponder &responder, const QByteArray &allow)
{
    HttpReply::error(responder, Status::MethodNotAllowed,
                     QStringLiteral("method not allowed; use %1").arg(QString::fromLatin1(allow)),
                     {{"Allow", allow}});
}

} // namespace

AdminEndpoint::AdminEndpoint(Hub *hub, QByteArray adminToken, const HttpLimitStats *httpStats)
    : m_hub(hub)
    , m_token(std::move(adminToken))
    , m_httpStats(httpStats)
{
}

bool AdminEndpoint::authorized(const QHttpServerRequest &request) const
{
    const QByteArray header = request.value("Authorization");
    if (!header.startsWith("Bearer ") && !header.startsWith("bearer "))
        return false;
    return ConstantTime::equal(header.mid(7).trimmed(), m_token);
}

void AdminEndpoint::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (!authorized(request)) {
        qCInfo(lcAdmin).nospace() << "admin request refused reason=unauthorized path="
                                  << request.url().path();
        return HttpReply::error(responder, Status::Unauthorized,
                                QStringLiteral("missing or wrong admin token"),
                                {{"WWW-Authenticate", "Bearer realm=\"eventsource-admin\""}});
    }
    const QString path = request.url().path();
    const Method method = request.method();
    if (path == QLatin1String("/api/push")) {
        if (method != Method::Post)
            return methodNotAllowed(responder, "POST");
        return push(request, responder);
    }
    if (path == QLatin1String("/api/pause")) {
        if (method != Method::Post)
            return methodNotAllowed(responder, "POST");
        return pause(request, responder);
    }
    if (path == QLatin1String("/api/connections")) {
        if (method != Method::Get)
            return methodNotAllowed(responder, "GET");
        return listConnections(request, responder);
    }
    if (path.startsWith(QLatin1String("/api/connections/"))) {
        if (method != Method::Delete)
            return methodNotAllowed(responder, "DELETE");
        return deleteConnection(path.mid(17), responder);
    }
    if (path == QLatin1String("/api/stats") || path == QLatin1String("/metrics")
        || path == QLatin1String("/health")) {
        if (method != Method::Get)
            return methodNotAllowed(responder, "GET");
        if (path == QLatin1String("/metrics"))
            return HttpReply::raw(responder, Status::Ok, "text/plain; version=0.0.4; charset=utf-8",
                                  MetricsFormatter::format(*m_hub, *m_httpStats));
        if (path == QLatin1String("/health"))
            return HttpReply::json(responder, {{QStringLiteral("status"), QStringLiteral("ok")}});
        return HttpReply::json(responder, statsJson());
    }
    HttpReply::error(responder, Status::NotFound, QStringLiteral("not found"));
}

std::optional<QJsonObject> AdminEndpoint::jsonBody(const QHttpServerRequest &request,
                                                   QHttpServerResponder &responder)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        HttpReply::error(responder, Status::BadRequest,
                         QStringLiteral("body is not valid JSON: %1 at offset %2")
                             .arg(parseError.errorString()).arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        HttpReply::error(responder, Status::BadRequest, QStringLiteral("body must be a JSON object"));
        return std::nullopt;
    }
    return document.object();
}

void AdminEndpoint::pause(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const std::optional<QJsonObject> body = jsonBody(request, responder);
    if (!body)
        return;
    QString error;
    const std::optional<PauseRequest> parsed = PauseRequest::fromJson(*body, &error);
    if (!parsed)
        return HttpReply::error(responder, Status::BadRequest, error);
    const int paused = m_hub->pause(parsed->delayMs, parsed->target, parsed->exceptGroups);
    HttpReply::json(responder, {{QStringLiteral("paused"), paused},
                                {QStringLiteral("delay"), parsed->delayMs}});
}

void AdminEndpoint::push(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const std::optional<QJsonObject> body = jsonBody(request, responder);
    if (!body)
        return;
    PushRequest parsed = PushRequest::fromJson(*body);
    if (!parsed.draft)
        return HttpReply::error(responder, Status::BadRequest, parsed.error);
    const Hub::PublishResult result = m_hub->publish(std::move(*parsed.draft));
    if (result.error != Hub::PublishError::None)
        return HttpReply::error(responder, statusFor(result.error), result.message);
    HttpReply::json(responder, {{QStringLiteral("id"), QString::fromLatin1(result.id)},
                                {QStringLiteral("delivered"), result.delivered}});
}

void AdminEndpoint::listConnections(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    // ?user= and ?group= (id or name) go through the registry's indices.
    const QUrlQuery query(request.url());
    const QString user = query.queryItemValue(QStringLiteral("user"), QUrl::FullyDecoded);
    const QString group = query.queryItemValue(QStringLiteral("group"), QUrl::FullyDecoded);
    Target target;
    if (!user.isEmpty())
        target.users.append(user);
    else if (!group.isEmpty())
        target.groups.append(group);
    QJsonArray list;
    for (const SseConnection *connection : m_hub->connections(target)) {
        const Principal &principal = connection->info().principal;
        if (!group.isEmpty() && !principal.groupIds.contains(group) && !principal.groupNames.contains(group))
            continue;
        list.append(connectionJson(*connection));
    }
    HttpReply::json(responder, {{QStringLiteral("count"), list.size()},
                                {QStringLiteral("connections"), list}});
}

void AdminEndpoint::deleteConnection(const QString &id, QHttpServerResponder &responder)
{
    bool ok = false;
    const quint64 number = id.toULongLong(&ok);
    if (!ok || !m_hub->kick(number))
        return HttpReply::error(responder, Status::NotFound,
                                QStringLiteral("no connection with id '%1'").arg(id.left(64)));
    HttpReply::json(responder, {{QStringLiteral("closed"), id}});
}

QJsonObject AdminEndpoint::connectionJson(const SseConnection &connection)
{
    const SseConnection::Info &info = connection.info();
    QJsonArray filter;
    for (const QByteArray &name : info.filter)
        filter.append(QString::fromUtf8(name));

    return {{QStringLiteral("id"), QString::number(info.id)},
            {QStringLiteral("session"), info.principal.sessionId},
            {QStringLiteral("userId"), nullable(info.principal.userId)},
            {QStringLiteral("userName"), nullable(info.principal.userName)},
            {QStringLiteral("groups"), QJsonArray::fromStringList(info.principal.groupNames)},
            {QStringLiteral("groupIds"), QJsonArray::fromStringList(info.principal.groupIds)},
            {QStringLiteral("expiresAt"), info.expiresAt.isValid()
                 ? QJsonValue(info.expiresAt.toString(Qt::ISODate)) : QJsonValue()},
            {QStringLiteral("remoteAddress"), info.remoteAddress},
            {QStringLiteral("userAgent"), info.userAgent},
            {QStringLiteral("filter"), filter},
            {QStringLiteral("connectedAt"), info.connectedAt.toString(Qt::ISODateWithMs)},
            {QStringLiteral("eventsSent"), connection.eventsSent()},
            {QStringLiteral("bytesSent"), connection.bytesSent()},
            {QStringLiteral("lastEventId"), QString::fromLatin1(connection.lastEventId())}};
}

QJsonObject AdminEndpoint::statsJson() const
{
    const HubStats &s = m_hub->stats();
    const EventLog &log = m_hub->log();
    return {{QStringLiteral("version"), QStringLiteral(ESH_VERSION)},
            {QStringLiteral("uptimeSeconds"), m_hub->uptimeMs() / 1000},
            {QStringLiteral("connections"), m_hub->connectionCount()},
            {QStringLiteral("connectionsOpened"), s.connectionsOpened},
            {QStringLiteral("connectionsRejected"), s.connectionsRejected},
            {QStringLiteral("eventsPublished"), s.eventsPublished},
            {QStringLiteral("eventsRejected"), s.eventsRejected},
            {QStringLiteral("deliveries"), s.deliveries},
            {QStringLiteral("bytesSent"), s.bytesSent},
            {QStringLiteral("replayedEvents"), s.replayedEvents},
            {QStringLiteral("resumeGaps"), s.resumeGaps},
            {QStringLiteral("droppedSlowConsumers"), s.slowConsumersDropped},
            {QStringLiteral("kicked"), s.kicked},
            {QStringLiteral("paused"), s.paused},
            {QStringLiteral("tokenExpired"), s.tokenExpired},
            {QStringLiteral("history"), QJsonObject{{QStringLiteral("size"), log.size()},
                                                    {QStringLiteral("capacity"), log.capacity()},
                                                    {QStringLiteral("headId"), QString::fromLatin1(log.headId())},
                                                    {QStringLiteral("persistent"), log.isPersistent()}}}};
}
