#pragma once

#include "sseparser.h"

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QSslConfiguration>
#include <QUrl>

#include <optional>

class QNetworkReply;

// An EventSource over QNetworkAccessManager (WHATWG HTML §9.2): GET with
// Accept: text/event-stream, each body chunk through the common SseParser. A status other
// than 200 or a body that is not text/event-stream fails the connection for good; with
// reconnect set, a stream that ends or cannot be reached is retried after the server's last
// "retry:" delay with Last-Event-ID, as a browser does.
class SseListener final : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 defaultRetryMs = 3000;

    struct Options
    {
        QUrl url;
        QString lastEventId;
        QByteArray token; // sent as Authorization: Bearer when set
        bool reconnect = false;
        QSslConfiguration tls; // for https://
    };

    explicit SseListener(Options options, QObject *parent = nullptr);
    ~SseListener() override;

    void start();
    // Closes the stream; no signal follows.
    void stop();

    QString lastEventId() const { return m_lastEventId; }

signals:
    void opened();
    void messageReceived(const SseMessage &message);
    void reconnectScheduled(qint64 delayMs, const QString &reason);
    // The stream ended (without reconnect); no signal follows.
    void ended(const QString &reason);
    // The connection failed for good; no signal follows.
    void failed(const QString &error);

private:
    void open();
    void handleReadyRead();
    void handleFinished();
    // Whether the response head is acceptable; fails the connection if it is known not to be.
    bool checkHead();
    void retryOrEnd(const QString &reason, bool wasOpen);

    Options m_options;
    QNetworkAccessManager m_manager;
    QPointer<QNetworkReply> m_reply;
    std::optional<SseParser> m_parser; // one per connection: a new body starts clean
    QTimer m_retryTimer;
    QString m_lastEventId;
    qint64 m_retryMs = defaultRetryMs;
    bool m_open = false;
    bool m_stopped = false;
};
