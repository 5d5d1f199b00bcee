#include "sselistener.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>
#include <climits>

// Quiet unless asked for (QT_LOGGING_RULES="eventsource.cli.*.debug=true"): stderr is for failures.
Q_LOGGING_CATEGORY(lcListener, "eventsource.cli.listen", QtWarningMsg)

SseListener::SseListener(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_lastEventId(m_options.lastEventId)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &SseListener::open);
}

SseListener::~SseListener()
{
    stop();
}

void SseListener::start()
{
    m_stopped = false;
    open();
}

void SseListener::stop()
{
    m_stopped = true;
    m_retryTimer.stop();
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void SseListener::open()
{
    QNetworkRequest request(m_options.url);
    request.setRawHeader("Accept", "text/event-stream");
    request.setRawHeader("Cache-Control", "no-cache");
    if (!m_lastEventId.isEmpty())
        request.setRawHeader("Last-Event-ID", m_lastEventId.toUtf8());
    if (!m_options.token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_options.token);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(0); // a stream may stay quiet for as long as it likes
    m_open = false;
    m_parser.emplace();
    if (m_options.url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_options.tls);
    m_reply = m_manager.get(request);
    qCDebug(lcListener).nospace() << "connecting path=" << m_options.url.path()
                                  << " lastEventId=" << m_lastEventId;
    connect(m_reply, &QNetworkReply::readyRead, this, &SseListener::handleReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &SseListener::handleFinished);
}

bool SseListener::checkHead()
{
    if (m_open)
        return true;
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return false; // an error body: read whole in handleFinished
    const QString type = m_reply->header(QNetworkRequest::ContentTypeHeader).toString();
    if (!type.section(u';', 0, 0).trimmed().compare(QLatin1String("text/event-stream"), Qt::CaseInsensitive)) {
        m_open = true;
        emit opened();
        return true;
    }
    const QString error = QStringLiteral("not an event stream (Content-Type: %1)")
                              .arg(type.isEmpty() ? QStringLiteral("none") : type.left(100));
    stop();
    emit failed(error);
    return false;
}

void SseListener::handleReadyRead()
{
    if (m_stopped || !checkHead())
        return;
    const QList<SseMessage> messages = m_parser->feed(m_reply->readAll());
    // A new parser starts with an empty id: keep ours until this stream sets one (a stream
    // that resets the id to empty on purpose is not told apart; nothing here does that).
    if (!m_parser->lastEventId().isEmpty())
        m_lastEventId = m_parser->lastEventId();
    if (m_parser->retryMs() >= 0)
        m_retryMs = m_parser->retryMs();
    for (const SseMessage &message : messages) {
        emit messageReceived(message);
        if (m_stopped)
            return;
    }
}

void SseListener::handleFinished()
{
    if (m_stopped)
        return;
    QNetworkReply *reply = m_reply;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 0 && status != 200) {
        const QByteArray body = reply->readAll();
        QString message = QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toString();
        if (message.isEmpty())
            message = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        m_stopped = true;
        emit failed(QStringLiteral("HTTP %1: %2").arg(status).arg(message));
        return;
    }
    if (status == 200) {
        handleReadyRead(); // what arrived with the end of the stream
        if (m_stopped)
            return;
    }
    const bool wasOpen = m_open;
    const QString reason = reply->error() == QNetworkReply::NoError
            || reply->error() == QNetworkReply::RemoteHostClosedError
        ? QStringLiteral("the server closed the stream")
        : reply->errorString();
    retryOrEnd(reason, wasOpen);
}

void SseListener::retryOrEnd(const QString &reason, bool wasOpen)
{
    if (m_options.reconnect) {
        qCDebug(lcListener).nospace() << "reconnecting delayMs=" << m_retryMs << " reason=" << reason;
        emit reconnectScheduled(m_retryMs, reason);
        m_retryTimer.start(int(std::min<qint64>(m_retryMs, INT_MAX)));
        return;
    }
    m_stopped = true;
    if (wasOpen)
        emit ended(reason);
    else
        emit failed(reason);
}
