#pragma once

#include "eventsourceclient.h"

#include <QStringDecoder>
#include <QUrl>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class ReceivedEventModel;

// The "Test client" tab: opens an SSE stream to the public endpoint as a client app would
// (path, event filter, token or login, Last-Event-ID, reconnect) and shows what arrives,
// parsed (a ReceivedEventModel in a table, newest at the bottom) and raw (the bytes as
// received, line endings normalised), with the state and counts below. Both views are
// bounded to 5,000 rows/lines.
class TestClientWidget final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TestClientWidget)

public:
    static constexpr int maxRawLines = 5000;

    explicit TestClientWidget(QWidget *parent = nullptr);

    // The public listener. A path in it goes to the path field (e.g.
    // http://host:8080/eventsource → base http://host:8080, path /eventsource).
    void setBaseUrl(const QUrl &url);
    // The stream URL the fields describe: base + path + "/" + the event names, comma-joined.
    QUrl streamUrl() const;

    EventSourceClient *client() const { return m_client; }
    ReceivedEventModel *model() const { return m_model; }

public Q_SLOTS:
    void openStream();
    void closeStream();
    // Empties both views and the counts.
    void clear();

private:
    void handleStateChanged(EventSourceClient::State state, const QString &detail);
    void handleRawReceived(const QByteArray &chunk);
    void handleEventReceived(const SseMessage &message);
    void handleStatusReceived(int httpStatus, const QByteArray &body);
    void appendRaw(const QString &text);
    void appendRawMarker(const QString &text);
    void updateStatus();

    EventSourceClient *m_client;
    ReceivedEventModel *m_model;
    QLineEdit *m_baseUrl;
    QLineEdit *m_path;
    QLineEdit *m_events;
    QLineEdit *m_token;
    QLineEdit *m_loginUser;
    QLineEdit *m_loginPassword;
    QLineEdit *m_lastEventId;
    QCheckBox *m_reconnect;
    QPushButton *m_open;
    QPushButton *m_close;
    QPushButton *m_clear;
    QTableView *m_table;
    QPlainTextEdit *m_raw;
    QLabel *m_status;

    QStringDecoder m_rawDecoder{QStringDecoder::Utf8};
    bool m_rawPendingCr = false; // the last chunk ended on CR: a leading LF belongs to it
    bool m_tableAtBottom = true;
    qint64 m_eventCount = 0;
    qint64 m_byteCount = 0;
    QString m_stateText;
};
