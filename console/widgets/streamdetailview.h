#pragma once

#include <QWidget>

class ConnectionModel;
class ControlClient;
class QLabel;
class QPushButton;
class QTableWidget;

// The selected stream: who it is, how it came back (resume), and its trace — the last
// events it received, replayed or live, with their size and time — asked of the server
// when the stream is chosen and again with Refresh.
class StreamDetailView final : public QWidget
{
    Q_OBJECT

public:
    StreamDetailView(ControlClient *client, ConnectionModel *connections, QWidget *parent = nullptr);

    // The stream to show (empty: none).
    void showStream(const QString &connectionId);
    QString stream() const { return m_id; }

private:
    void askTrace();

    ControlClient *m_client;
    ConnectionModel *m_connections;
    QString m_id;
    QLabel *m_summary;
    QLabel *m_traceState;
    QTableWidget *m_trace;
    QPushButton *m_refresh;
};
