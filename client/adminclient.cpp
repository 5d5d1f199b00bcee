#include "adminclient.h"

#include <QLoggingCategory>
#include <QNetworkReply>
#include <QNetworkRequest>

// Quiet unless asked for (QT_LOGGING_RULES="eventsource.cli.*.debug=true"): stderr is for failures.
Q_LOGGING_CATEGORY(lcAdminClient, "eventsource.cli.admin", QtWarningMsg)

AdminClient::AdminClient(QUrl baseUrl, QByteArray token, QSslConfiguration tls, QObject *parent)
    : QObject(parent)
    , m_baseUrl(std::move(baseUrl))
    , m_token(std::move(token))
    , m_tls(std::move(tls))
{
}

QNetworkRequest AdminClient::request(const QString &path, const QUrlQuery &query) const
{
    // The admin URL may carry a path prefix (a reverse proxy): the API path goes after it.
    QUrl url = m_baseUrl;
    QString base = url.path(QUrl::FullyEncoded);
    while (base.endsWith(u'/'))
        base.chop(1);
    url.setPath(base + path); // tolerant: percent-encoded segments stay encoded
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_token);
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(timeoutMs);
    if (url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_tls);
    return request;
}

void AdminClient::get(const QString &path, const QUrlQuery &query)
{
    watch(m_manager.get(request(path, query)));
}

void AdminClient::post(const QString &path, const QJsonObject &body)
{
    QNetworkRequest post = request(path);
    post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    watch(m_manager.post(post, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

void AdminClient::deleteResource(const QString &path)
{
    watch(m_manager.deleteResource(request(path)));
}

void AdminClient::watch(QNetworkReply *reply)
{
    qCDebug(lcAdminClient).nospace() << "request method=" << reply->operation()
                                     << " path=" << reply->url().path();
    connect(reply, &QNetworkReply::finished, this, [this, reply] { handleFinished(reply); });
}

void AdminClient::handleFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    const QJsonDocument document = QJsonDocument::fromJson(result.body);
    if (document.isObject())
        result.json = document.object();

    if (result.status == 0) {
        // Qt's messages for these name the URL at most, never the request's headers.
        result.error = reply->error() == QNetworkReply::OperationCanceledError
            ? QStringLiteral("no answer within %1 s").arg(timeoutMs / 1000)
            : reply->errorString();
    } else if (result.status < 200 || result.status > 299) {
        const QString message = result.json.value(QStringLiteral("error")).toString();
        result.error = QStringLiteral("HTTP %1: %2").arg(result.status).arg(
            message.isEmpty() ? reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()
                              : message);
    } else if (!document.isObject()) {
        result.error = QStringLiteral("the server's answer is not a JSON object");
    }
    qCDebug(lcAdminClient).nospace() << "answer status=" << result.status << " error=" << result.error;
    emit requestFinished(result);
}
