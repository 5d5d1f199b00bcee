#pragma once

#include "controlclient.h"
#include "faultrequest.h"
#include "targetpicker.h"

#include <QMainWindow>
#include <QTimer>

class ComposerWidget;
class ConnectionModel;
class ConnectionsView;
class EventLogModel;
class EventLogView;
class NodesView;
class QLabel;
class QTabWidget;
class RateChart;
class TestClientWidget;

// The operator's console: live connections, composer, event log, charts, a test client and
// the cluster's nodes, all fed by one ControlClient.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    ControlClient *client() const { return m_client; }
    ConnectionModel *connections() const { return m_connections; }
    EventLogModel *events() const { return m_events; }
    QTabWidget *tabs() const { return m_tabs; }

    // Connects at once (flags or environment); otherwise call showConnectDialog().
    void connectTo(const QUrl &adminUrl, const QString &token);
    void showConnectDialog();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void handleState(ControlClient::State state, const QString &detail);
    void openPauseDialog(TargetPicker::Kind kind, const QStringList &values);
    void kick(const QString &connectionId);
    void openFaultDialog(const FaultRequest &draft, const QString &scope);
    void refreshNodes();
    void showAbout();

    ControlClient *m_client;
    ConnectionModel *m_connections;
    EventLogModel *m_events;
    QTabWidget *m_tabs;
    ConnectionsView *m_connectionsView;
    ComposerWidget *m_composer;
    EventLogView *m_eventLog;
    RateChart *m_chart;
    TestClientWidget *m_testClient;
    NodesView *m_nodes;
    QTimer m_nodesTimer;
    QLabel *m_status;
    QLabel *m_rates;
};
