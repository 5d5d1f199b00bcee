#include "mainwindow.h"

#include "composerwidget.h"
#include "connectdialog.h"
#include "ratechart.h"

#include <memory>

#include <QAction>
#include <QApplication>
#include <QDialog>
#include <QImage>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QShortcut>
#include <QSignalSpy>
#include <QStandardPaths>
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

// Whether some pixel of the region is within `tolerance` of the colour on every channel.
bool containsColour(const QImage &image, const QRect &region, const QColor &colour, int tolerance = 24)
{
    for (int y = region.top(); y <= region.bottom(); ++y) {
        for (int x = region.left(); x <= region.right(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (qAbs(pixel.red() - colour.red()) <= tolerance && qAbs(pixel.green() - colour.green()) <= tolerance
                && qAbs(pixel.blue() - colour.blue()) <= tolerance)
                return true;
        }
    }
    return false;
}

} // namespace

// The main window as a smoke test, offscreen and without a server (the integration test
// drives it against one): tabs, shortcuts, the status line per client state, window state
// kept in QSettings; and the rate chart.
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
    void windowStateSavedOnClose();
    void statsFeedChartAndStatusBar();
    void rateChartKeepsLastSamples_data();
    void rateChartKeepsLastSamples();
    void rateChartRenders();

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
    QCOMPARE(m_window->centralWidget(), tabs);
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i)
        names.append(tabs->tabText(i));
    QCOMPARE(names, (QStringList{u"&Connections"_s, u"C&omposer"_s, u"&Events"_s, u"C&harts"_s, u"&Test client"_s, u"Scena&rio"_s, u"&Nodes"_s}));
    QCOMPARE(tabs->widget(1), m_window->findChild<ComposerWidget *>());
    QCOMPARE(tabs->widget(3), m_window->findChild<RateChart *>(u"rateChart"_s));
    QCOMPARE(tabs->currentIndex(), 0);
    QCOMPARE(statusText(), u"Not connected — Server ▸ Connect… (Ctrl+K)"_s);
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
    QTest::addColumn<QString>("dialogClass");
    QTest::newRow("Ctrl+K") << int(Qt::Key_K) << u"ConnectDialog"_s;
    QTest::newRow("Ctrl+P") << int(Qt::Key_P) << u"PauseDialog"_s;
}

void tst_MainWindow::shortcutOpensDialog()
{
    QFETCH(int, key);
    QFETCH(QString, dialogClass);
    showActive();
    // The dialog runs its own event loop: note it and cancel it from a timer.
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
    closer.stop();
    QCOMPARE(opened, dialogClass);
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

void tst_MainWindow::statsFeedChartAndStatusBar()
{
    auto *chart = m_window->findChild<RateChart *>(u"rateChart"_s);
    QVERIFY(chart);
    QCOMPARE(chart->sampleCount(), 0);
    StatsTick tick;
    tick.connections = 12;
    tick.eventsPerSecond = 3;
    tick.deliveriesPerSecond = 36;
    Q_EMIT m_window->client()->statsReceived(tick);
    QCOMPARE(chart->sampleCount(), 1);
    QCOMPARE(m_window->findChild<QLabel *>(u"rates"_s)->text(), u"12 streams · 3 events/s · 36 deliveries/s"_s);
}

void tst_MainWindow::rateChartKeepsLastSamples_data()
{
    QTest::addColumn<int>("added");
    QTest::addColumn<int>("expected");
    QTest::newRow("none") << 0 << 0;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("just under the bound") << RateChart::maxSamples - 1 << RateChart::maxSamples - 1;
    QTest::newRow("the bound") << RateChart::maxSamples << RateChart::maxSamples;
    QTest::newRow("one over") << RateChart::maxSamples + 1 << RateChart::maxSamples;
    QTest::newRow("far over") << 5 * RateChart::maxSamples << RateChart::maxSamples;
}

void tst_MainWindow::rateChartKeepsLastSamples()
{
    QFETCH(int, added);
    QFETCH(int, expected);
    QCOMPARE(RateChart::maxSamples, 600);
    RateChart chart;
    for (int i = 0; i < added; ++i)
        chart.addSample(i, i % 7);
    QCOMPARE(chart.sampleCount(), expected);
}

void tst_MainWindow::rateChartRenders()
{
    RateChart chart;
    chart.resize(chart.sizeHint());
    const QImage empty = chart.grab().toImage();
    QVERIFY(!empty.isNull());
    QCOMPARE(empty.size(), chart.sizeHint() * empty.devicePixelRatio());
    const QColor connections(0x1f, 0x77, 0xb4);
    const QColor events(0xd6, 0x27, 0x28);
    // Inside the plot frame, clear of the labels above and beside it: only the lines are there.
    const qreal ratio = empty.devicePixelRatio();
    const QRect plot = QRectF(QRectF(chart.rect()).adjusted(52, 34, -52, -24).topLeft() * ratio,
                              QRectF(chart.rect()).adjusted(52, 34, -52, -24).size() * ratio).toRect();
    QVERIFY(!containsColour(empty, empty.rect(), connections));

    for (int i = 0; i < 120; ++i)
        chart.addSample(100 + i, 10 * (i % 5));
    const QImage drawn = chart.grab().toImage();
    QVERIFY(!drawn.isNull());
    QVERIFY(drawn != empty);
    QVERIFY(containsColour(drawn, plot, connections));
    QVERIFY(containsColour(drawn, plot, events));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
