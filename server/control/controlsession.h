#pragma once

#include <QByteArrayList>
#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

class QWebSocket;

// One console on the control channel: authentication, its subscriptions, and an outgoing
// queue. A snapshot is paged out as the socket drains; live messages beyond the buffer cap
// cut the console off, as a slow SSE stream is.
class ControlSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlSession)

public:
    ControlSession(std::unique_ptr<QWebSocket> socket, bool authenticated, qint64 maxBufferBytes,
                   QObject *parent = nullptr);
    ~ControlSession() override;

    bool isAuthenticated() const { return m_authenticated; }
    // Authenticated now: incoming messages may be up to maxMessageBytes.
    void setAuthenticated(qint64 maxMessageBytes);
    QHostAddress peerAddress() const;
    bool isSubscribed(const QString &topic) const { return m_topics.contains(topic); }
    void subscribe(const QString &topic) { m_topics.insert(topic); }
    void unsubscribe(const QString &topic) { m_topics.remove(topic); }

    // Live message: dropped with the console when the queue passes the cap.
    void send(const QJsonObject &message);
    // Snapshot pages: exempt from the cap (bounded by the number of streams), sent in order.
    void sendBulk(const QByteArrayList &encodedMessages);
    // Closes with a policy-violation code and the reason.
    void refuse(const QString &reason);

Q_SIGNALS:
    void messageReceived(ControlSession *session, const QString &text);
    void closed(ControlSession *session);
    void cutOff(ControlSession *session);

private:
    void pump();
    void handleDisconnected();

    std::unique_ptr<QWebSocket> m_socket;
    bool m_authenticated;
    qint64 m_maxBufferBytes;
    QSet<QString> m_topics;
    QByteArrayList m_queue;
    qint64 m_queuedLiveBytes = 0;
    qsizetype m_bulkLeft = 0; // how many of the queue's head are snapshot pages
    QTimer m_authTimer;
    bool m_closing = false;
    bool m_gone = false;
};
