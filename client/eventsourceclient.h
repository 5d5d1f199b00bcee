#pragma once

#include "ssemessage.h"
#include "sseparser.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

// A stream opened the way a browser's EventSource opens one (WHATWG HTML §9.2): GET with
// Accept: text/event-stream and Cache-Control: no-cache, the body parsed as it arrives; when
// the stream ends or the network fails it waits the reconnection time and reconnects with
// Last-Event-ID; a response that is not 200 text/event-stream "fails the connection" (§9.2.3)
// and stops. Identity is a bearer token or a POST /login on the same origin first, whose
// session cookie stays in this client's cookie jar. Nothing received is kept here: each
// chunk and event is handed out by signal, the parser is the only state.
class EventSourceClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventSourceClient)

public:
    enum class State { Connecting, Open, Reconnecting, Closed, Failed };
    Q_ENUM(State)

    struct Options
    {
        QString token;       // sent as "Authorization: Bearer <token>" when not empty
        QString lastEventId; // sent as Last-Event-ID on the first request when not empty
        bool reconnect = true;
        QString loginUser;   // when set: POST /login on the url's origin before the stream
        QString loginPassword;
        QSslConfiguration tls; // for https:// (--ca-file, --insecure); null: Qt's default
        QByteArray userAgent;  // empty: EventSourceHub-TestClient/<version>
    };

    static constexpr qint64 defaultRetryMs = 3000; // §9.2.2: "a user-agent-defined value"
    static constexpr qsizetype maxStatusBodyBytes = 64 * 1024;

    explicit EventSourceClient(QObject *parent = nullptr);
    ~EventSourceClient() override;

    // Closes what is open, starts with a fresh cookie jar (a new "browser"), and connects.
    void open(const QUrl &url, const Options &options);
    void open(const QUrl &url) { open(url, Options()); }
    void close();

    State state() const { return m_state; }
    QString stateDetail() const { return m_stateDetail; }
    QUrl url() const { return m_url; }
    // The last event ID string the next reconnection sends.
    QString lastEventId() const { return m_lastEventId; }
    // The reconnection time in use: the stream's last valid "retry:", else defaultRetryMs.
    qint64 retryMs() const { return m_retryMs >= 0 ? m_retryMs : defaultRetryMs; }
    // Connections made since open(), the first included.
    int connectionCount() const { return m_connectionCount; }
    QNetworkAccessManager *networkAccessManager() const { return m_network; }

Q_SIGNALS:
    void stateChanged(EventSourceClient::State state, const QString &detail);
    void rawReceived(const QByteArray &chunk);
    void eventReceived(const SseMessage &message);
    // The stream ended or could not be reached; the client reconnects after delayMs.
    void reconnectScheduled(qint64 delayMs, const QString &reason);
    // The status and body (at most maxStatusBodyBytes) of an answer that failed the
    // connection or the login.
    void statusReceived(int httpStatus, const QByteArray &body);

private:
    QNetworkRequest newRequest(const QUrl &url) const;
    void login();
    void connectStream();
    void handleLoginFinished();
    void handleMetaData();
    void handleReadyRead();
    void handleFinished();
    // Checks the response head once per connection; false when it failed the connection.
    bool acceptResponse();
    void fail(const QString &detail);
    void endConnection(const QString &detail);
    void releaseReply();
    void setState(State state, const QString &detail = {});

    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    QTimer m_reconnectTimer;
    std::optional<SseParser> m_parser;
    QUrl m_url;
    Options m_options;
    State m_state = State::Closed;
    QString m_stateDetail;
    QString m_lastEventId;
    QString m_connectionLastEventId; // the parser's value when last looked at
    qint64 m_retryMs = -1;
    int m_connectionCount = 0;
    bool m_accepted = false;   // this connection's head was 200 text/event-stream
    bool m_refused = false;    // this connection's head failed it; its body is collected
    QByteArray m_refusalBody;
    quint64 m_generation = 0;  // bumped by close()/open(), so slots notice they are stale
};
