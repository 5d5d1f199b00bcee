#include "mainwindow.h"

#include "composerwidget.h"
#include "connectdialog.h"
#include "connectionbanner.h"
#include "connectionmodel.h"
#include "connectionsview.h"
#include "dashboardview.h"
#include "eventlogmodel.h"
#include "eventlogview.h"
#include "faultdialog.h"
#include "nodesview.h"
#include "pausedialog.h"
#include "scenarioview.h"
#include "streamdetailview.h"
#include "testclientwidget.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcWindow, "eventsource.console.window")

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_client(new ControlClient(this))
    , m_connections(new ConnectionModel(this))
    , m_events(new EventLogModel(10000, this))
    , m_banner(new ConnectionBanner(this))
    , m_tabs(new QTabWidget(this))
    , m_connectionsView(new ConnectionsView(m_connections, this))
    , m_dashboard(new DashboardView(m_connections, this))
    , m_composer(new ComposerWidget(m_client, m_connections, this))
    , m_eventLog(new EventLogView(m_events, m_client, this))
    , m_testClient(new TestClientWidget(this))
    , m_nodes(new NodesView(this))
    , m_status(new QLabel(this))
    , m_rates(new QLabel(this))
{
    setWindowTitle(tr("EventSource Hub console"));
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(m_connectionsView, tr("&Connections"));
    m_tabs->addTab(m_dashboard, tr("&Dashboard"));
    m_tabs->addTab(m_composer, tr("C&omposer"));
    m_tabs->addTab(m_eventLog, tr("&Events"));
    m_tabs->addTab(m_testClient, tr("&Test client"));
    auto *scenario = new ScenarioView(m_client, this);
    scenario->setObjectName(QStringLiteral("scenarioView"));
    m_tabs->addTab(scenario, tr("Scena&rio"));
    m_tabs->addTab(m_nodes, tr("&Nodes"));
    // The node list, every 4 s while connected (a cluster's heartbeat).
    m_nodesTimer.setInterval(4000);
    connect(&m_nodesTimer, &QTimer::timeout, this, &MainWindow::refreshNodes);
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_tabs, 1);
    setCentralWidget(central);
    connect(m_banner, &ConnectionBanner::retryRequested, this, &MainWindow::retryNow);
    connect(m_banner, &ConnectionBanner::connectRequested, this, &MainWindow::showConnectDialog);
    m_status->setObjectName(QStringLiteral("connectionState"));
    m_rates->setObjectName(QStringLiteral("rates"));
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_rates);
    createActions();

    connect(m_client, &ControlClient::stateChanged, this, &MainWindow::handleState);
    connect(m_client, &ControlClient::snapshotReceived, this,
            [this](const QList<ConnectionRecord> &records, bool first, bool) {
                if (first)
                    m_connections->resetRecords(records);
                else
                    m_connections->appendRecords(records);
            });
    connect(m_client, &ControlClient::connectionsChanged, m_connections, &ConnectionModel::applyBatch);
    connect(m_client, &ControlClient::eventsReceived, this, [this](const QList<EventSummary> &events, qint64 dropped) {
        m_events->addEvents(events);
        m_eventLog->setDropped(dropped);
    });
    connect(m_client, &ControlClient::statsReceived, this, [this](const StatsTick &stats) {
        m_dashboard->addStats(stats, QDateTime::currentDateTime());
        m_rates->setText(tr("%n stream(s) · %1 events/s · %2 deliveries/s", nullptr, int(stats.connections))
                             .arg(stats.eventsPerSecond, 0, 'f', 0)
                             .arg(stats.deliveriesPerSecond, 0, 'f', 0));
    });
    connect(m_connectionsView, &ConnectionsView::kickRequested, this, &MainWindow::kick);
    connect(m_connectionsView, &ConnectionsView::pushRequested, this,
            [this](TargetPicker::Kind kind, const QStringList &values) {
                m_composer->setTarget(kind, values);
                m_tabs->setCurrentWidget(m_composer);
            });
    connect(m_connectionsView, &ConnectionsView::pauseRequested, this, &MainWindow::openPauseDialog);
    connect(m_connectionsView, &ConnectionsView::faultRequested, this, &MainWindow::openFaultDialog);
    auto *detail = new StreamDetailView(m_client, m_connections, this);
    detail->setObjectName(QStringLiteral("streamDetail"));
    m_connectionsView->setDetail(detail);
    connect(m_connectionsView, &ConnectionsView::streamSelected, detail, &StreamDetailView::showStream);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
    handleState(ControlClient::State::Disconnected, {});
}

MainWindow::~MainWindow() = default;

ConnectDialog *MainWindow::connectDialog() const
{
    return m_connectDialog;
}

void MainWindow::createActions()
{
    QMenu *server = menuBar()->addMenu(tr("&Server"));
    QAction *connectAction = server->addAction(tr("&Connect…"), this, &MainWindow::showConnectDialog);
    connectAction->setShortcut(Qt::CTRL | Qt::Key_K);
    m_disconnectAction = server->addAction(tr("&Disconnect"), m_client, &ControlClient::disconnectFromServer);
    m_disconnectAction->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_K);
    server->addSeparator();
    m_pauseAction = server->addAction(tr("&Pause streams…"), this,
                                      [this] { openPauseDialog(TargetPicker::Kind::Everyone, {}); });
    m_pauseAction->setShortcut(Qt::CTRL | Qt::Key_P);
    server->addSeparator();
    QAction *quit = server->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, &MainWindow::showAbout);
    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->addAction(connectAction);
    toolbar->addAction(m_pauseAction);
}

void MainWindow::connectTo(const QUrl &adminUrl, const QString &token)
{
    ConnectDialog::remember(adminUrl);
    m_token = token;
    m_connections->clear();
    m_client->connectToServer(adminUrl, token);
}

void MainWindow::retryNow()
{
    if (!m_client->adminUrl().isValid())
        return showConnectDialog();
    qCInfo(lcWindow) << "retry now url=" << m_client->adminUrl().toString();
    // The streams stay (greyed) until the snapshot that follows replaces them.
    m_client->connectToServer(m_client->adminUrl(), m_token);
}

void MainWindow::showConnectDialog()
{
    if (m_connectDialog) {
        m_connectDialog->raise();
        m_connectDialog->activateWindow();
        return;
    }
    auto *dialog = new ConnectDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (m_client->adminUrl().isValid())
        dialog->setUrl(m_client->adminUrl());
    connect(dialog, &ConnectDialog::connectRequested, this, &MainWindow::connectTo);
    m_connectDialog = dialog;
    dialog->open();
}

void MainWindow::handleState(ControlClient::State state, const QString &detail)
{
    const bool connected = state == ControlClient::State::Connected;
    m_pauseAction->setEnabled(connected);
    m_disconnectAction->setEnabled(state != ControlClient::State::Disconnected
                                   && state != ControlClient::State::AuthRefused);
    m_connectionsView->setLive(connected);
    m_dashboard->setLive(connected);
    showBanner(state, detail);
    const QString server = m_client->adminUrl().toString();
    switch (state) {
    case ControlClient::State::Disconnected:
        m_status->setText(tr("Not connected — Server ▸ Connect… (Ctrl+K)"));
        break;
    case ControlClient::State::Connecting:
        m_status->setText(tr("Connecting to %1…").arg(server));
        break;
    case ControlClient::State::Connected:
        m_status->setText(m_client->testFaults()
                              ? tr("Connected to %1 (server %2, test faults on)").arg(server, m_client->serverVersion())
                              : tr("Connected to %1 (server %2)").arg(server, m_client->serverVersion()));
        m_connectionsView->setFaultsEnabled(m_client->testFaults());
        // The hub says where its streams are (older hubs do not: the test client keeps its URL).
        if (m_client->streamUrl().isValid())
            m_testClient->setBaseUrl(m_client->streamUrl());
        refreshNodes();
        m_nodesTimer.start();
        return;
    case ControlClient::State::Reconnecting:
        m_status->setText(tr("Connection to %1 lost: %2").arg(server, detail));
        break;
    case ControlClient::State::AuthRefused:
        m_status->setText(tr("%1 refused the admin token: %2").arg(server, detail));
        break;
    }
    m_nodesTimer.stop();
}

void MainWindow::showBanner(ControlClient::State state, const QString &detail)
{
    const QUrl url = m_client->adminUrl();
    const QString server = url.toString();
    const bool streamsShown = m_connections->rowCount() > 0;
    const QString stale = streamsShown ? tr(" The streams shown are the last known, greyed until the console is back.")
                                       : QString();
    using Action = ConnectionBanner::Action;
    switch (state) {
    case ControlClient::State::Connected:
        m_banner->hide();
        return;
    case ControlClient::State::Disconnected:
        if (url.isValid())
            m_banner->showProblem(tr("Disconnected from %1.").arg(server) + stale, Action::Retry);
        else
            m_banner->showProblem(tr("Not connected to a server."), Action::Connect);
        break;
    case ControlClient::State::Connecting:
        m_banner->showProblem(tr("Connecting to %1…").arg(server) + stale, Action::Connect);
        break;
    case ControlClient::State::Reconnecting:
        m_banner->showProblem(tr("Lost the connection to %1: %2.").arg(server, detail) + stale, Action::Retry);
        break;
    case ControlClient::State::AuthRefused:
        m_banner->showProblem(tr("%1 refused the admin token: %2. Connect with another token.").arg(server, detail),
                              Action::Connect);
        break;
    }
    m_banner->show();
}

void MainWindow::refreshNodes()
{
    m_client->request(QStringLiteral("nodes"), {}, [this](const QJsonObject &result, const QString &error) {
        if (!error.isEmpty())
            return;
        m_nodes->setNodes(result.value(QStringLiteral("nodes")).toArray(), result.value(QStringLiteral("error")).toString());
    });
}

void MainWindow::openPauseDialog(TargetPicker::Kind kind, const QStringList &values)
{
    PauseDialog dialog(m_connections, this);
    if (kind != TargetPicker::Kind::Everyone)
        dialog.setTarget(kind, values);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_client->request(QStringLiteral("pause"), dialog.request(),
                      [this, alive = QPointer<MainWindow>(this)](const QJsonObject &result, const QString &error) {
                          if (!alive)
                              return;
                          statusBar()->showMessage(error.isEmpty()
                                                       ? tr("%n stream(s) paused", nullptr, result.value(QStringLiteral("paused")).toInt())
                                                       : tr("Pause refused: %1").arg(error), 8000);
                      });
}

void MainWindow::kick(const QString &connectionId)
{
    m_client->request(QStringLiteral("kick"), {{QStringLiteral("connection"), connectionId}},
                      [this, alive = QPointer<MainWindow>(this), connectionId](const QJsonObject &, const QString &error) {
                          if (!alive)
                              return;
                          statusBar()->showMessage(error.isEmpty() ? tr("Stream %1 closed").arg(connectionId)
                                                                   : tr("Kick refused: %1").arg(error), 8000);
                      });
}

void MainWindow::openFaultDialog(const FaultRequest &draft, const QString &scope)
{
    FaultDialog dialog(draft, scope, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_client->request(QStringLiteral("fault.add"), {{QStringLiteral("fault"), dialog.request().toJson()}},
                      [this, alive = QPointer<MainWindow>(this)](const QJsonObject &result, const QString &error) {
                          if (!alive)
                              return;
                          statusBar()->showMessage(
                              error.isEmpty() ? tr("Fault %1 applies to %n stream(s)", nullptr,
                                                   result.value(QStringLiteral("affected")).toInt())
                                                    .arg(result.value(QStringLiteral("id")).toString())
                                              : tr("Fault refused: %1").arg(error), 8000);
                      });
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About EventSource Hub console"),
                       tr("<p><b>EventSource Hub console</b> %1</p>"
                          "<p>Server: %2 (control protocol %3)</p>"
                          "<p>Watch who is connected, push events, pause and kick streams.</p>")
                           .arg(QStringLiteral(ESH_VERSION),
                                m_client->serverVersion().isEmpty() ? tr("not connected") : m_client->serverVersion())
                           .arg(m_client->protocolVersion()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    event->accept();
}
