#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>
#include <QUrlQuery>

class QNetworkReply;

// One request at a time to the server's admin API (Authorization: Bearer <admin token>).
// Every outcome, answered or not, arrives as one requestFinished signal.
class AdminClient final : public QObject
{
    Q_OBJECT

public:
    static constexpr int timeoutMs = 30000;

    struct Reply
    {
        int status = 0;   // 0 when no HTTP answer came
        QByteArray body;  // as the server sent it
        QJsonObject json; // the body when it is a JSON object
        QString error;    // empty on success: the server's "error", or what failed on the way

        bool ok() const { return error.isEmpty(); }
    };

    AdminClient(QUrl baseUrl, QByteArray token, QSslConfiguration tls, QObject *parent = nullptr);

    void get(const QString &path, const QUrlQuery &query = {});
    void post(const QString &path, const QJsonObject &body);
    void deleteResource(const QString &path);

signals:
    void requestFinished(const AdminClient::Reply &reply);

private:
    QNetworkRequest request(const QString &path, const QUrlQuery &query = {}) const;
    void watch(QNetworkReply *reply);
    void handleFinished(QNetworkReply *reply);

    QNetworkAccessManager m_manager;
    QUrl m_baseUrl;
    QByteArray m_token;
    QSslConfiguration m_tls;
};
