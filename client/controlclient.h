#pragma once

#include "connectionrecord.h"
#include "eventsummary.h"
#include "statstick.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <functional>

class QWebSocket;

// The console's side of the control channel (docs/control-protocol.md): connects to
// ws://<admin>/control with the admin token in the upgrade header, subscribes to every topic,
// turns messages into signals, matches replies to requests by id, and reconnects with
// backoff (1 s doubling to 30 s) until told to stop. An auth refusal stops reconnecting.
class ControlClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlClient)

public:
    enum class State { Disconnected, Connecting, Connected, Reconnecting, AuthRefused };
    Q_ENUM(State)
    using Callback = std::function<void(const QJsonObject &result, const QString &error)>;

    explicit ControlClient(QObject *parent = nullptr);
    ~ControlClient() override;

    // adminUrl is the admin listener, e.g. http://127.0.0.1:8081 (ws:// also accepted).
    void connectToServer(const QUrl &adminUrl, const QString &token);
    // The live topics to subscribe to once connected (default: all three; none for a tool
    // that only sends requests), and the TLS configuration for wss:// (null: Qt's default).
    void setTopics(const QStringList &topics) { m_topics = topics; }
    void setTls(const QSslConfiguration &tls) { m_tls = tls; }
    void disconnectFromServer();

    State state() const { return m_state; }
    QUrl adminUrl() const { return m_adminUrl; }
    QString serverVersion() const { return m_serverVersion; }
    // The hub's public stream URL, from its hello (as reached from here); invalid before.
    QUrl streamUrl() const { return m_streamUrl; }
    // The server takes fault requests (started with --test-faults).
    bool testFaults() const { return m_testFaults; }
    int protocolVersion() const { return m_protocolVersion; }

    // Sends {"type": type, "id": <new id>, ...fields}; callback gets the result object or the
    // error message (also "not connected" and "connection lost" when no reply can come).
    void request(const QString &type, QJsonObject fields = {}, Callback callback = {});

Q_SIGNALS:
    void stateChanged(ControlClient::State state, const QString &detail);
    // A snapshot arrives in pages; the first replaces everything known.
    void snapshotReceived(const QList<ConnectionRecord> &records, bool first, bool last);
    void connectionsChanged(const QList<ConnectionRecord> &opened, const QStringList &closed,
                            const QList<ConnectionUpdate> &updated);
    void eventsReceived(const QList<EventSummary> &events, qint64 dropped);
    void statsReceived(const StatsTick &stats);

private:
    void open();
    void setState(State state, const QString &detail = {});
    void handleConnected();
    void handleDisconnected();
    void handleMessage(const QString &text);
    void failPending(const QString &error);

    QWebSocket *m_socket = nullptr;
    QUrl m_adminUrl;
    QUrl m_streamUrl;
    bool m_testFaults = false;
    QStringList m_topics;
    QSslConfiguration m_tls;
    QString m_token;
    State m_state = State::Disconnected;
    QString m_serverVersion;
    int m_protocolVersion = 0;
    bool m_wanted = false;
    bool m_snapshotFirst = true;
    int m_backoffMs = 1000;
    QTimer m_reconnectTimer;
    qint64 m_nextId = 0;
    QHash<qint64, Callback> m_pending;
};
