#pragma once

#include "controlclient.h"
#include "faultrequest.h"
#include "targetpicker.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class ComposerWidget;
class ConnectDialog;
class ConnectionBanner;
class ConnectionModel;
class ConnectionsView;
class DashboardView;
class EventLogModel;
class EventLogView;
class NodesView;
class QAction;
class QLabel;
class QTabWidget;
class TestClientWidget;

// The operator's console: live connections, a dashboard, composer, event log, a test client
// and the cluster's nodes, all fed by one ControlClient. While not connected a banner above
// the tabs says why and offers to retry or connect; the streams shown are greyed and the
// actions that need the server are disabled.
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
    ConnectionBanner *banner() const { return m_banner; }
    // The open connect dialog, if any.
    ConnectDialog *connectDialog() const;

    // Connects at once (flags or environment); otherwise call showConnectDialog().
    void connectTo(const QUrl &adminUrl, const QString &token);
    // Opens the connect dialog (window-modal, returns at once); it stays open until the
    // server accepts the token, and says why when it does not.
    void showConnectDialog();
    // Connects again to the last server with the last token, now.
    void retryNow();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void handleState(ControlClient::State state, const QString &detail);
    void showBanner(ControlClient::State state, const QString &detail);
    void openPauseDialog(TargetPicker::Kind kind, const QStringList &values);
    void kick(const QString &connectionId);
    void openFaultDialog(const FaultRequest &draft, const QString &scope);
    void refreshNodes();
    void showAbout();

    ControlClient *m_client;
    ConnectionModel *m_connections;
    EventLogModel *m_events;
    ConnectionBanner *m_banner;
    QTabWidget *m_tabs;
    ConnectionsView *m_connectionsView;
    DashboardView *m_dashboard;
    ComposerWidget *m_composer;
    EventLogView *m_eventLog;
    TestClientWidget *m_testClient;
    NodesView *m_nodes;
    QTimer m_nodesTimer;
    QLabel *m_status;
    QLabel *m_rates;
    QAction *m_disconnectAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QPointer<ConnectDialog> m_connectDialog;
    QString m_token; // the last one given, for "Retry now"
};
