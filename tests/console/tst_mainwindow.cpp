#include "mainwindow.h"

#include "composerwidget.h"
#include "connectdialog.h"
#include "connectionbanner.h"
#include "connectionmodel.h"
#include "connectionsview.h"
#include "dashboardview.h"
#include "englishplurals.h"
#include "timeserieschart.h"

#include <memory>

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTabWidget>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

// A loopback port nothing listens on (bound, read back, released).
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

} // namespace

// The main window as a smoke test, offscreen and without a server (the integration test
// drives it against one): tabs, shortcuts, the status line and the disconnected state (banner,
// greyed streams, disabled actions) per client state, the connect dialog staying open on a
// refused token, window state kept in QSettings; stats feeding the dashboard.
class tst_MainWindow final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void tabsPresent();
    void shortcutsExist_data();
    void shortcutsExist();
    void shortcutOpensDialog_data();
    void shortcutOpensDialog();
    void composerSendShortcut();
    void statusTextPerState_data();
    void statusTextPerState();
    void statusWhileServerUnreachable();
    void disconnectedStatePerState_data();
    void disconnectedStatePerState();
    void retryNowReconnectsAtOnce();
    void connectDialogStaysOpenOnRefusal();
    void windowStateSavedOnClose();
    void statsFeedDashboardAndStatusBar_data();
    void statsFeedDashboardAndStatusBar();

private:
    QString statusText() const { return m_window->findChild<QLabel *>(u"connectionState"_s)->text(); }
    void showActive()
    {
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }

    std::unique_ptr<MainWindow> m_window;
};

void tst_MainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"esh-tests-mainwindow"_s);
    QCoreApplication::setApplicationName(u"tst_mainwindow"_s);
    EnglishPlurals::install(QCoreApplication::instance());
}

void tst_MainWindow::init()
{
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
}

void tst_MainWindow::cleanup()
{
    m_window.reset();
    QSettings().clear();
}

void tst_MainWindow::tabsPresent()
{
    auto *tabs = m_window->findChild<QTabWidget *>(u"tabs"_s);
    QVERIFY(tabs);
    QCOMPARE(tabs, m_window->tabs());
    QCOMPARE(tabs->parentWidget(), m_window->centralWidget());
    QCOMPARE(m_window->banner()->parentWidget(), m_window->centralWidget());
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i)
        names.append(tabs->tabText(i));
    QCOMPARE(names, (QStringList{u"&Connections"_s, u"&Dashboard"_s, u"C&omposer"_s, u"&Events"_s, u"&Test client"_s,
                                 u"Scena&rio"_s, u"&Nodes"_s}));
    QCOMPARE(tabs->widget(1), m_window->findChild<DashboardView *>(u"dashboard"_s));
    QCOMPARE(tabs->widget(2), m_window->findChild<ComposerWidget *>());
    QCOMPARE(tabs->currentIndex(), 0);
    QCOMPARE(statusText(), u"Not connected — Server ▸ Connect… (Ctrl+K)"_s);
    QVERIFY(!m_window->banner()->isHidden());
    QCOMPARE(m_window->banner()->text(), u"Not connected to a server."_s);
    QCOMPARE(m_window->banner()->action(), ConnectionBanner::Action::Connect);
}

void tst_MainWindow::shortcutsExist_data()
{
    QTest::addColumn<QKeySequence>("keys");
    QTest::addColumn<QString>("action");
    QTest::newRow("Ctrl+K connect") << QKeySequence(Qt::CTRL | Qt::Key_K) << u"&Connect…"_s;
    QTest::newRow("Ctrl+Shift+K disconnect") << QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K) << u"&Disconnect"_s;
    QTest::newRow("Ctrl+P pause") << QKeySequence(Qt::CTRL | Qt::Key_P) << u"&Pause streams…"_s;
}

void tst_MainWindow::shortcutsExist()
{
    QFETCH(QKeySequence, keys);
    QFETCH(QString, action);
    QStringList found;
    for (const QAction *a : m_window->findChildren<QAction *>()) {
        if (a->shortcuts().contains(keys))
            found.append(a->text());
    }
    QCOMPARE(found, QStringList{action});
}

void tst_MainWindow::shortcutOpensDialog_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<bool>("connected");
    QTest::addColumn<QString>("dialogClass"); // empty: none opens
    QTest::newRow("Ctrl+K") << int(Qt::Key_K) << false << u"ConnectDialog"_s;
    QTest::newRow("Ctrl+K connected") << int(Qt::Key_K) << true << u"ConnectDialog"_s;
    QTest::newRow("Ctrl+P connected") << int(Qt::Key_P) << true << u"PauseDialog"_s;
    QTest::newRow("Ctrl+P disconnected: disabled") << int(Qt::Key_P) << false << QString();
}

void tst_MainWindow::shortcutOpensDialog()
{
    QFETCH(int, key);
    QFETCH(bool, connected);
    QFETCH(QString, dialogClass);
    if (connected)
        Q_EMIT m_window->client()->stateChanged(ControlClient::State::Connected, u"0.1.0"_s);
    showActive();
    // A dialog may run its own event loop: note it and cancel it from a timer.
    QString opened;
    QTimer closer;
    closer.setInterval(10);
    connect(&closer, &QTimer::timeout, this, [&] {
        if (auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget())) {
            closer.stop();
            opened = QString::fromLatin1(dialog->metaObject()->className());
            dialog->reject();
        }
    });
    closer.start();
    QTest::keyClick(m_window.get(), Qt::Key(key), Qt::ControlModifier);
    if (dialogClass.isEmpty()) {
        // Whatever would open does so from the key press itself; give it a turn anyway.
        QCoreApplication::processEvents();
        QVERIFY(!QApplication::activeModalWidget());
        return;
    }
    QTRY_COMPARE(opened, dialogClass);
}

void tst_MainWindow::composerSendShortcut()
{
    auto *composer = m_window->findChild<ComposerWidget *>();
    QVERIFY(composer);
    QStringList keys;
    for (const QShortcut *shortcut : composer->findChildren<QShortcut *>())
        keys.append(shortcut->key().toString());
    QVERIFY2(keys.contains(u"Ctrl+Return"_s), qPrintable(keys.join(u", ")));

    // Pressed in the data editor, it sends (here: refused, nothing is connected).
    m_window->tabs()->setCurrentWidget(composer);
    showActive();
    auto *data = composer->findChild<QPlainTextEdit *>(u"eventData"_s);
    auto *answer = composer->findChild<QLabel *>(u"answer"_s);
    data->setFocus();
    QTest::keyClicks(data, u"hello"_s);
    QCOMPARE(answer->text(), QString());
    QTest::keyClick(data, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(answer->text(), u"refused: not connected"_s);
    QCOMPARE(data->toPlainText(), u"hello"_s); // the key did not go into the text
}

void tst_MainWindow::statusTextPerState_data()
{
    QTest::addColumn<ControlClient::State>("state");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("expected"); // %1: the admin URL

    using S = ControlClient::State;
    QTest::newRow("disconnected") << S::Disconnected << QString() << u"Not connected — Server ▸ Connect… (Ctrl+K)"_s;
    QTest::newRow("connecting") << S::Connecting << QString() << u"Connecting to %1…"_s;
    QTest::newRow("connected") << S::Connected << u"0.1.0"_s << u"Connected to %1 (server )"_s;
    QTest::newRow("reconnecting") << S::Reconnecting << u"retrying in 4 s (Connection refused)"_s
                                  << u"Connection to %1 lost: retrying in 4 s (Connection refused)"_s;
    QTest::newRow("auth refused") << S::AuthRefused << u"invalid admin token"_s
                                  << u"%1 refused the admin token: invalid admin token"_s;
}

void tst_MainWindow::statusTextPerState()
{
    QFETCH(ControlClient::State, state);
    QFETCH(QString, detail);
    QFETCH(QString, expected);
    // Gives the client an address, then stops it: what follows is only the emitted state.
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(closedPort()));
    m_window->client()->connectToServer(url, u"t"_s);
    m_window->client()->disconnectFromServer();
    QCOMPARE(m_window->client()->adminUrl(), url);
    Q_EMIT m_window->client()->stateChanged(state, detail);
    QCOMPARE(statusText(), expected.contains(u"%1") ? expected.arg(url.toString()) : expected);
}

void tst_MainWindow::statusWhileServerUnreachable()
{
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(closedPort()));
    QSignalSpy states(m_window->client(), &ControlClient::stateChanged);
    m_window->connectTo(url, u"t"_s);
    QCOMPARE(states.first().first().value<ControlClient::State>(), ControlClient::State::Connecting);
    QCOMPARE(statusText(), u"Connecting to %1…"_s.arg(url.toString()));
    QTRY_COMPARE(m_window->client()->state(), ControlClient::State::Reconnecting);
    QVERIFY2(statusText().startsWith(u"Connection to %1 lost: retrying in 1 s"_s.arg(url.toString())),
             qPrintable(statusText()));
    // The address is remembered for the connect dialog.
    QCOMPARE(ConnectDialog::recentServers().value(0), url.toString());
    m_window->client()->disconnectFromServer();
    QCOMPARE(statusText(), u"Not connected — Server ▸ Connect… (Ctrl+K)"_s);
}

void tst_MainWindow::disconnectedStatePerState_data()
{
    QTest::addColumn<ControlClient::State>("state");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("banner"); // %1: the admin URL; empty: hidden
    QTest::addColumn<ConnectionBanner::Action>("action");

    using S = ControlClient::State;
    using A = ConnectionBanner::Action;
    const QString stale = u" The streams shown are the last known, greyed until the console is back."_s;
    QTest::newRow("connected: no banner") << S::Connected << u"0.1.0"_s << QString() << A::Connect;
    QTest::newRow("lost: retry") << S::Reconnecting << u"retrying in 4 s (Connection refused)"_s
                                 << u"Lost the connection to %1: retrying in 4 s (Connection refused)."_s + stale
                                 << A::Retry;
    QTest::newRow("disconnected: retry") << S::Disconnected << QString() << u"Disconnected from %1."_s + stale << A::Retry;
    QTest::newRow("refused: connect") << S::AuthRefused << u"invalid admin token"_s
                                      << u"%1 refused the admin token: invalid admin token. Connect with another token."_s
                                      << A::Connect;
}

void tst_MainWindow::disconnectedStatePerState()
{
    QFETCH(ControlClient::State, state);
    QFETCH(QString, detail);
    QFETCH(QString, banner);
    QFETCH(ConnectionBanner::Action, action);
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(closedPort()));
    m_window->client()->connectToServer(url, u"t"_s);
    m_window->client()->disconnectFromServer();
    // A stream known from before: it stays, greyed, while not connected.
    ConnectionRecord record;
    record.id = u"7"_s;
    record.session = u"s7"_s;
    m_window->connections()->resetRecords({record});
    Q_EMIT m_window->client()->stateChanged(state, detail);

    const bool connected = state == ControlClient::State::Connected;
    QCOMPARE(m_window->banner()->isHidden(), connected);
    if (!connected) {
        QCOMPARE(m_window->banner()->text(), banner.arg(url.toString()));
        QCOMPARE(m_window->banner()->action(), action);
        QCOMPARE(m_window->banner()->findChild<QPushButton *>(u"bannerAction"_s)->text(),
                 action == ConnectionBanner::Action::Retry ? u"Retr&y now"_s : u"Connect…"_s);
    }
    auto *view = m_window->findChild<ConnectionsView *>();
    QCOMPARE(view->isLive(), connected);
    QCOMPARE(view->table()->isEnabled(), connected);
    QCOMPARE(view->table()->model()->rowCount(), 1);
    QCOMPARE(view->findChild<QLabel *>(u"connectionCount"_s)->text(),
             connected ? u"1 of 1 stream"_s : u"1 of 1 stream (last known, not live)"_s);
    QStringList enabled;
    for (const QAction *a : m_window->findChildren<QAction *>()) {
        if (a->isEnabled() && (a->text() == u"&Pause streams…" || a->text() == u"&Disconnect"))
            enabled.append(a->text());
    }
    enabled.sort();
    const QStringList expected = connected ? QStringList{u"&Disconnect"_s, u"&Pause streams…"_s}
        : state == ControlClient::State::Reconnecting ? QStringList{u"&Disconnect"_s} : QStringList{};
    QCOMPARE(enabled, expected);
    auto *dashboard = m_window->findChild<DashboardView *>(u"dashboard"_s);
    QCOMPARE(dashboard->isLive(), connected);
    QCOMPARE(dashboard->figure(u"groups"_s), connected ? u"0"_s : u"—"_s);
}

void tst_MainWindow::retryNowReconnectsAtOnce()
{
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(closedPort()));
    m_window->connectTo(url, u"secret-token"_s);
    QTRY_COMPARE(m_window->client()->state(), ControlClient::State::Reconnecting);
    QCOMPARE(m_window->banner()->action(), ConnectionBanner::Action::Retry);
    // The client now waits out its backoff; the button starts a new attempt right away, to
    // the same address.
    QSignalSpy states(m_window->client(), &ControlClient::stateChanged);
    QTest::mouseClick(m_window->banner()->findChild<QPushButton *>(u"bannerAction"_s), Qt::LeftButton);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).first().value<ControlClient::State>(), ControlClient::State::Disconnected);
    QCOMPARE(states.at(1).first().value<ControlClient::State>(), ControlClient::State::Connecting);
    QCOMPARE(m_window->client()->adminUrl(), url);
    m_window->client()->disconnectFromServer();
}

void tst_MainWindow::connectDialogStaysOpenOnRefusal()
{
    showActive();
    m_window->showConnectDialog();
    QPointer<ConnectDialog> dialog = m_window->connectDialog();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    const QUrl url(u"http://127.0.0.1:%1"_s.arg(closedPort()));
    dialog->setUrl(url);
    dialog->setToken(u"wrong-token"_s);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    QCOMPARE(m_window->client()->adminUrl(), url);
    QCOMPARE(m_window->client()->state(), ControlClient::State::Connecting);
    // What the client says when the server closes with "policy violated".
    Q_EMIT m_window->client()->stateChanged(ControlClient::State::AuthRefused, u"invalid admin token"_s);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->problem(), u"The server refused this token (invalid admin token). Check it and connect again."_s);
    QCOMPARE(dialog->token(), u"wrong-token"_s);
    QVERIFY(dialog->findChild<QLineEdit *>(u"adminToken"_s)->hasSelectedText());
    QVERIFY(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());

    // Corrected and connected: the dialog closes.
    dialog->setToken(u"right-token"_s);
    dialog->submit();
    QVERIFY(dialog->problem().isEmpty());
    Q_EMIT m_window->client()->stateChanged(ControlClient::State::Connected, u"0.1.0"_s);
    QTRY_VERIFY(!dialog);
    m_window->client()->disconnectFromServer();
}

void tst_MainWindow::windowStateSavedOnClose()
{
    QVERIFY(!QSettings().contains(u"window/geometry"_s));
    showActive();
    m_window->resize(777, 555);
    QTRY_COMPARE(m_window->size(), QSize(777, 555));
    m_window->tabs()->setCurrentIndex(3);
    QVERIFY(m_window->close());
    {
        const QSettings settings;
        QVERIFY(!settings.value(u"window/geometry"_s).toByteArray().isEmpty());
        QVERIFY(!settings.value(u"window/state"_s).toByteArray().isEmpty());
        QCOMPARE(settings.value(u"window/tab"_s).toInt(), 3);
    }

    // A new window comes back as the last one was left.
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->size(), QSize(777, 555));
    QCOMPARE(m_window->tabs()->currentIndex(), 3);
}

void tst_MainWindow::statsFeedDashboardAndStatusBar_data()
{
    QTest::addColumn<qint64>("streams");
    QTest::addColumn<QString>("expected");
    QTest::newRow("none") << qint64(0) << u"0 streams · 3 events/s · 36 deliveries/s"_s;
    QTest::newRow("one: singular") << qint64(1) << u"1 stream · 3 events/s · 36 deliveries/s"_s;
    QTest::newRow("twelve") << qint64(12) << u"12 streams · 3 events/s · 36 deliveries/s"_s;
}

void tst_MainWindow::statsFeedDashboardAndStatusBar()
{
    QFETCH(qint64, streams);
    QFETCH(QString, expected);
    auto *dashboard = m_window->findChild<DashboardView *>(u"dashboard"_s);
    QVERIFY(dashboard);
    QCOMPARE(dashboard->streamsChart()->sampleCount(), 0);
    Q_EMIT m_window->client()->stateChanged(ControlClient::State::Connected, u"0.1.0"_s);
    StatsTick tick;
    tick.connections = streams;
    tick.eventsPerSecond = 3;
    tick.deliveriesPerSecond = 36;
    Q_EMIT m_window->client()->statsReceived(tick);
    QCOMPARE(dashboard->streamsChart()->sampleCount(), 1);
    QCOMPARE(dashboard->deliveriesChart()->sampleCount(), 1);
    QCOMPARE(dashboard->figure(u"streams"_s), QString::number(streams));
    QCOMPARE(m_window->findChild<QLabel *>(u"rates"_s)->text(), expected);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
