#include "adminendpoint.h"

#include "httpreply.h"
#include "hub.h"
#include "metricsformatter.h"

#include <QHttpServerRequest>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>
#include <QUrlQuery>

namespace {

using Status = QHttpServerResponder::StatusCode;
using Method = QHttpServerRequest::Method;

void methodNotAllowed(QHttpServerResponder &responder, const QByteArray &allow)
{
    HttpReply::error(responder, Status::MethodNotAllowed,
                     QStringLiteral("method not allowed; use %1").arg(QString::fromLatin1(allow)),
                     {{"Allow", allow}});
}

} // namespace

AdminEndpoint::AdminEndpoint(Hub *hub, const AdminOperations *operations, AdminAuth *auth,
                             const HttpLimitStats *httpStats)
    : m_hub(hub)
    , m_operations(operations)
    , m_auth(auth)
    , m_httpStats(httpStats)
{
}

void AdminEndpoint::answer(QHttpServerResponder &responder, const AdminOperations::Outcome &outcome)
{
    switch (outcome.failure) {
    case AdminOperations::Failure::None:
        return HttpReply::json(responder, outcome.result);
    case AdminOperations::Failure::BadRequest:
        return HttpReply::error(responder, Status::BadRequest, outcome.error);
    case AdminOperations::Failure::Forbidden:
        return HttpReply::error(responder, Status::Forbidden, outcome.error);
    case AdminOperations::Failure::NotFound:
        return HttpReply::error(responder, Status::NotFound, outcome.error);
    case AdminOperations::Failure::TooLarge:
        return HttpReply::error(responder, Status::PayloadTooLarge, outcome.error);
    case AdminOperations::Failure::Unavailable:
        return HttpReply::error(responder, Status::ServiceUnavailable, outcome.error, {{"Retry-After", "1"}});
    }
}

AdminEndpoint::Held AdminEndpoint::hold(QHttpServerResponder &&responder)
{
    auto held = std::make_shared<QHttpServerResponder>(std::move(responder));
    const QPointer<QTcpSocket> socket = held->socket();
    return [held, socket](const std::function<void(QHttpServerResponder &)> &write) {
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            write(*held);
    };
}

std::function<void(const QJsonObject &)> AdminEndpoint::later(QHttpServerResponder &&responder)
{
    return [held = hold(std::move(responder))](const QJsonObject &body) {
        held([&body](QHttpServerResponder &responder) { HttpReply::json(responder, body); });
    };
}

void AdminEndpoint::push(const QJsonDocument &body, QHttpServerResponder &&responder)
{
    if (body.isObject()) {
        return m_operations->push(body.object(), [held = hold(std::move(responder))](const AdminOperations::Outcome &outcome) {
            held([&outcome](QHttpServerResponder &responder) { answer(responder, outcome); });
        });
    }
    m_operations->pushBatch(body.array(), [held = hold(std::move(responder))](const AdminOperations::Outcome &outcome) {
        held([&outcome](QHttpServerResponder &responder) {
            const QJsonArray events = outcome.result.value(QStringLiteral("events")).toArray();
            if (outcome.failure == AdminOperations::Failure::None)
                return HttpReply::json(responder, events);
            if (events.isEmpty())
                return answer(responder, outcome);
            // Some are stored, some not: which is which, so that only those are sent again.
            HttpReply::json(responder, {{QStringLiteral("error"), outcome.error}, {QStringLiteral("events"), events}},
                            Status::ServiceUnavailable, {{"Retry-After", "1"}});
        });
    });
}

void AdminEndpoint::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const AdminAuth::Result auth = m_auth->checkHeader(request.value("Authorization"),
                                                       request.remoteAddress(), "http");
    if (auth.verdict == AdminAuth::Verdict::Throttled)
        return HttpReply::error(responder, Status::TooManyRequests,
                                QStringLiteral("too many wrong admin tokens from this address; retry later"),
                                {{"Retry-After", QByteArray::number(auth.retryAfterSeconds)}});
    if (!auth.allowed()) {
        return HttpReply::error(responder, Status::Unauthorized,
                                QStringLiteral("missing or wrong admin token"),
                                {{"WWW-Authenticate", "Bearer realm=\"eventsource-admin\""}});
    }
    const QString path = request.url().path();
    const Method method = request.method();
    if (path == QLatin1String("/api/push") || path == QLatin1String("/api/pause")) {
        if (method != Method::Post)
            return methodNotAllowed(responder, "POST");
        if (path.endsWith(QLatin1String("push"))) {
            const std::optional<QJsonDocument> body = jsonDocument(request, responder);
            if (!body)
                return; // QJsonDocument holds an object or an array, nothing else
            return push(*body, std::move(responder));
        }
        const std::optional<QJsonObject> body = jsonBody(request, responder);
        if (!body)
            return;
        return answer(responder, m_operations->pause(*body));
    }
    if (path == QLatin1String("/api/reset")) {
        if (method != Method::Post)
            return methodNotAllowed(responder, "POST");
        return answer(responder, m_operations->reset());
    }
    if (path == QLatin1String("/api/faults")) {
        if (method == Method::Get)
            return answer(responder, m_operations->faults());
        if (method != Method::Post)
            return methodNotAllowed(responder, "GET, POST");
        const std::optional<QJsonObject> body = jsonBody(request, responder);
        if (!body)
            return;
        return answer(responder, m_operations->addFault(*body));
    }
    if (path.startsWith(QLatin1String("/api/faults/"))) {
        if (method != Method::Delete)
            return methodNotAllowed(responder, "DELETE");
        return answer(responder, m_operations->removeFault(path.mid(12)));
    }
    if (path.startsWith(QLatin1String("/api/events/"))) {
        if (method != Method::Get)
            return methodNotAllowed(responder, "GET");
        return answer(responder, m_operations->eventStatus(path.mid(12)));
    }
    if (path.startsWith(QLatin1String("/api/connections/")) && path.endsWith(QLatin1String("/trace"))) {
        if (method != Method::Get)
            return methodNotAllowed(responder, "GET");
        return answer(responder, m_operations->trace(path.mid(17).chopped(6)));
    }
    if (path.startsWith(QLatin1String("/api/connections/"))) {
        if (method != Method::Delete)
            return methodNotAllowed(responder, "DELETE");
        return answer(responder, m_operations->kick(path.mid(17)));
    }
    static const QStringList readOnly{QStringLiteral("/api/connections"), QStringLiteral("/api/nodes"),
                                      QStringLiteral("/api/stats"),
                                      QStringLiteral("/api/history"), QStringLiteral("/metrics"),
                                      QStringLiteral("/health")};
    if (!readOnly.contains(path))
        return HttpReply::error(responder, Status::NotFound, QStringLiteral("not found"));
    if (method != Method::Get)
        return methodNotAllowed(responder, "GET");
    const QUrlQuery query(request.url());
    const auto parameter = [&query](const char *name) {
        return query.queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded);
    };
    if (path == QLatin1String("/api/connections")) {
        // A filter it does not know must not list everything as if it had matched.
        for (const auto &[key, value] : query.queryItems()) {
            if (key != QLatin1String("user") && key != QLatin1String("group"))
                return HttpReply::error(responder, Status::BadRequest,
                                        QStringLiteral("unknown filter '%1': GET /api/connections takes user and group")
                                            .arg(key.left(64)));
        }
        return m_operations->clusterConnections(parameter("user"), parameter("group"), later(std::move(responder)));
    }
    if (path == QLatin1String("/api/nodes"))
        return m_operations->nodes(later(std::move(responder)));
    if (path == QLatin1String("/api/history")) {
        bool ok = false;
        const int limit = parameter("limit").toInt(&ok);
        return HttpReply::json(responder, m_operations->history(ok ? limit : 100));
    }
    if (path == QLatin1String("/metrics"))
        return HttpReply::raw(responder, Status::Ok, "text/plain; version=0.0.4; charset=utf-8",
                              MetricsFormatter::format(*m_hub, *m_httpStats, m_operations->faultInjector()));
    if (path == QLatin1String("/health")) {
        // Honest: a node whose broker cannot be read delivers nothing, and says so.
        const bool healthy = m_hub->bus().healthy();
        QJsonObject health{{QStringLiteral("status"), healthy ? QStringLiteral("ok") : QStringLiteral("degraded")}};
        if (const QJsonObject bus = m_hub->bus().status(); !bus.isEmpty())
            health.insert(QStringLiteral("bus"), bus);
        return HttpReply::json(responder, health, healthy ? Status::Ok : Status::ServiceUnavailable);
    }
    HttpReply::json(responder, m_operations->stats());
}

std::optional<QJsonDocument> AdminEndpoint::jsonDocument(const QHttpServerRequest &request,
                                                         QHttpServerResponder &responder)
{
    QJsonParseError parseError;
    QJsonDocument document = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        HttpReply::error(responder, Status::BadRequest,
                         QStringLiteral("body is not valid JSON: %1 at offset %2")
                             .arg(parseError.errorString()).arg(parseError.offset));
        return std::nullopt;
    }
    return document;
}

std::optional<QJsonObject> AdminEndpoint::jsonBody(const QHttpServerRequest &request,
                                                   QHttpServerResponder &responder)
{
    const std::optional<QJsonDocument> document = jsonDocument(request, responder);
    if (!document)
        return std::nullopt;
    if (!document->isObject()) {
        HttpReply::error(responder, Status::BadRequest, QStringLiteral("body must be a JSON object"));
        return std::nullopt;
    }
    return document->object();
}
