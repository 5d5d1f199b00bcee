#include "eventsourceclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QNetworkRequest>

Q_LOGGING_CATEGORY(lcTestClient, "eventsource.client.eventsource")

namespace {

int httpStatusOf(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

// The MIME type essence: "text/event-stream; charset=utf-8" → "text/event-stream".
QString mimeEssence(const QNetworkReply *reply)
{
    const QString type = reply->header(QNetworkRequest::ContentTypeHeader).toString();
    return type.section(u';', 0, 0).trimmed().toLower();
}

QByteArray userAgent()
{
    return QByteArrayLiteral("EventSourceHub-TestClient/" ESH_VERSION);
}

} // namespace

EventSourceClient::EventSourceClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &EventSourceClient::connectStream);
}

EventSourceClient::~EventSourceClient()
{
    // The manager deletes its replies; none of them may call back into a half-destroyed client.
    if (m_reply)
        m_reply->disconnect(this);
}

void EventSourceClient::open(const QUrl &url, const Options &options)
{
    ++m_generation;
    m_reconnectTimer.stop();
    releaseReply();
    m_parser.reset();
    m_url = url;
    m_options = options;
    m_lastEventId = options.lastEventId;
    m_retryMs = -1;
    m_connectionCount = 0;
    // A fresh cookie jar per open(): each open is a new client app, with no session left over
    // from the previous one. The manager deletes the jar it owned.
    m_network->setCookieJar(new QNetworkCookieJar(m_network));
    m_network->clearConnectionCache();

    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        fail(tr("not an http(s) URL: %1").arg(url.toDisplayString()));
        return;
    }
    if (options.loginUser.isEmpty())
        connectStream();
    else
        login();
}

void EventSourceClient::close()
{
    ++m_generation;
    m_reconnectTimer.stop();
    releaseReply();
    m_parser.reset();
    if (m_state != State::Closed)
        setState(State::Closed, tr("closed"));
}

QNetworkRequest EventSourceClient::newRequest(const QUrl &url) const
{
    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", m_options.userAgent.isEmpty() ? userAgent() : m_options.userAgent);
    if (!m_options.tls.isNull())
        request.setSslConfiguration(m_options.tls);
    return request;
}

void EventSourceClient::login()
{
    QUrl loginUrl = m_url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment);
    loginUrl.setPath(QStringLiteral("/login"));
    QNetworkRequest request = newRequest(loginUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("username"), m_options.loginUser},
                                                      {QStringLiteral("password"), m_options.loginPassword}})
                                .toJson(QJsonDocument::Compact);
    setState(State::Connecting, tr("logging in as %1 at %2").arg(m_options.loginUser, loginUrl.toDisplayString()));
    QNetworkReply *reply = m_network->post(request, body);
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        if (reply == m_reply)
            handleLoginFinished();
    });
}

void EventSourceClient::handleLoginFinished()
{
    const int status = httpStatusOf(m_reply);
    if (status == 200) {
        qCDebug(lcTestClient).nospace() << "login user=" << m_options.loginUser;
        releaseReply();
        connectStream();
        return;
    }
    if (status == 0) {
        fail(tr("login failed: %1").arg(m_reply->errorString()));
        return;
    }
    const QByteArray body = m_reply->read(maxStatusBodyBytes);
    Q_EMIT statusReceived(status, body);
    fail(tr("login refused: HTTP %1").arg(status));
}

void EventSourceClient::connectStream()
{
    releaseReply();
    m_parser.emplace();
    m_accepted = false;
    m_refused = false;
    m_refusalBody.clear();
    ++m_connectionCount;

    QNetworkRequest request = newRequest(m_url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    if (!m_options.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.token.toUtf8());
    if (!m_lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", m_lastEventId.toUtf8());
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // HTTP/1.1 as a browser's stream over http:// is, so the raw pane shows what was written.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    const QString detail = m_lastEventId.isEmpty()
        ? tr("GET %1").arg(m_url.toDisplayString())
        : tr("GET %1 (Last-Event-ID: %2)").arg(m_url.toDisplayString(), m_lastEventId);
    setState(m_connectionCount > 1 ? State::Reconnecting : State::Connecting, detail);
    qCDebug(lcTestClient).nospace() << "connect url=" << m_url.toDisplayString()
                                    << " lastEventId=" << m_lastEventId << " attempt=" << m_connectionCount;

    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        if (reply == m_reply)
            handleMetaData();
    });
    connect(reply, &QIODevice::readyRead, this, [this, reply] {
        if (reply == m_reply)
            handleReadyRead();
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        if (reply == m_reply)
            handleFinished();
    });
}

void EventSourceClient::handleMetaData()
{
    if (m_accepted || m_refused)
        return;
    const int status = httpStatusOf(m_reply);
    // No head yet, or a redirect the manager follows (as a browser's fetch does).
    if (status == 0 || (status >= 300 && status < 400))
        return;
    // §9.2.3: anything but 200 with the text/event-stream type fails the connection.
    if (status == 200 && mimeEssence(m_reply) == QLatin1String("text/event-stream")) {
        m_accepted = true;
        setState(State::Open, tr("HTTP 200 %1").arg(m_reply->url().toDisplayString()));
        return;
    }
    m_refused = true;
}

void EventSourceClient::handleReadyRead()
{
    handleMetaData();
    if (m_refused) {
        m_refusalBody += m_reply->read(maxStatusBodyBytes - m_refusalBody.size());
        if (m_refusalBody.size() >= maxStatusBodyBytes) // a refusal that never ends
            handleFinished();
        return;
    }
    if (!m_accepted)
        return;

    const quint64 generation = m_generation;
    const QByteArray chunk = m_reply->readAll();
    if (chunk.isEmpty())
        return;
    const QList<SseMessage> messages = m_parser->feed(chunk);
    // The parser starts each connection with an empty last event ID; the one carried over
    // changes only when this connection sets another (an explicit empty "id:" that resets it
    // before any other id is the one case this misses).
    if (m_parser->lastEventId() != m_connectionLastEventId) {
        m_connectionLastEventId = m_parser->lastEventId();
        m_lastEventId = m_connectionLastEventId;
    }
    if (m_parser->retryMs() >= 0)
        m_retryMs = m_parser->retryMs();
    const bool parserFailed = m_parser->hasError();

    Q_EMIT rawReceived(chunk);
    for (const SseMessage &message : messages) {
        if (generation != m_generation) // a receiver closed or reopened
            return;
        Q_EMIT eventReceived(message);
    }
    if (generation == m_generation && parserFailed)
        fail(tr("stream unreadable: a line longer than the parser accepts"));
}

void EventSourceClient::handleFinished()
{
    handleMetaData();
    if (m_accepted && m_reply->bytesAvailable() > 0) {
        const quint64 generation = m_generation;
        handleReadyRead(); // what arrived with the end; it may close, reopen or fail
        if (generation != m_generation || !m_reply)
            return;
    }
    const int status = httpStatusOf(m_reply);
    if (m_refused || (!m_accepted && status != 0)) {
        m_refusalBody += m_reply->read(maxStatusBodyBytes - m_refusalBody.size());
        const QString type = m_reply->header(QNetworkRequest::ContentTypeHeader).toString();
        const QByteArray body = std::exchange(m_refusalBody, {});
        const quint64 generation = m_generation;
        Q_EMIT statusReceived(status, body);
        if (generation != m_generation)
            return;
        fail(status == 200 ? tr("HTTP 200 but Content-Type %1, not text/event-stream").arg(type)
                           : tr("HTTP %1 %2")
                                 .arg(status)
                                 .arg(m_reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
        return;
    }
    const QString detail = m_reply->error() == QNetworkReply::NoError || m_accepted
        ? tr("the server closed the stream")
        : m_reply->errorString();
    endConnection(detail);
}

void EventSourceClient::endConnection(const QString &detail)
{
    releaseReply();
    m_parser.reset(); // §9.2.6: an unfinished event is discarded when the stream ends
    if (!m_options.reconnect) {
        setState(State::Closed, detail);
        return;
    }
    const quint64 generation = m_generation;
    setState(State::Reconnecting, tr("%1; reconnecting in %2 ms").arg(detail).arg(retryMs()));
    if (generation != m_generation)
        return;
    m_reconnectTimer.start(std::chrono::milliseconds(retryMs()));
    Q_EMIT reconnectScheduled(retryMs(), detail);
}

void EventSourceClient::fail(const QString &detail)
{
    qCInfo(lcTestClient).nospace() << "failed url=" << m_url.toDisplayString() << " detail=" << detail;
    m_reconnectTimer.stop();
    releaseReply();
    m_parser.reset();
    setState(State::Failed, detail);
}

void EventSourceClient::releaseReply()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    m_connectionLastEventId.clear();
    if (!reply)
        return;
    reply->disconnect(this);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

void EventSourceClient::setState(State state, const QString &detail)
{
    if (m_state == state && m_stateDetail == detail)
        return;
    m_state = state;
    m_stateDetail = detail;
    Q_EMIT stateChanged(state, detail);
}
