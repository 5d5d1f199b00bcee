#include "adminapi.h"
#include "composerwidget.h"
#include "connectdialog.h"
#include "connectionbanner.h"
#include "eventlogmodel.h"
#include "englishplurals.h"
#include "eventlogview.h"
#include "connectionfilterproxy.h"
#include "connectionmodel.h"
#include "connectionsview.h"
#include "connectiontreemodel.h"
#include "controlclient.h"
#include "jwt.h"
#include "mainwindow.h"
#include "pausedialog.h"
#include "scenarioview.h"
#include "serverprocess.h"
#include "sseclient.h"
#include "streamdetailview.h"

#include <map>
#include <memory>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QByteArray secret = "console-integration-secret-0123456789abcdef";

struct User
{
    QString id;
    QString name;
    QJsonArray groups; // {"id", "name"} objects
};

const QJsonObject marketing{{u"id"_s, u"g1"_s}, {u"name"_s, u"Marketing"_s}};
const QJsonObject engineering{{u"id"_s, u"g2"_s}, {u"name"_s, u"Engineering"_s}};

// The users the streams are opened as; "anon" streams send no token.
const std::map<QString, User> users{
    {u"alice"_s, {u"u1"_s, u"alice"_s, {marketing}}},
    {u"bob"_s, {u"u2"_s, u"bob"_s, {engineering}}},
    {u"carol"_s, {u"u3"_s, u"carol"_s, {marketing, engineering}}},
};

// "alice-2" -> "alice".
QString userOf(const QString &agent)
{
    return agent.section(u'-', 0, 0);
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

} // namespace

// The console's client layer (a real MainWindow: ControlClient, ConnectionModel, the filter
// proxy and tree of the Connections tab, the composer) against the real server, with SSE
// streams opened as JWT users. Streams are named by their User-Agent ("alice-1").
class tst_ConsoleIntegration final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void reachesConnected();
    void streamsBeforeAndAfterConnectingAppear();
    void treeGroupsByGroupWithCounts();
    void filterLeavesMatchingStreams_data();
    void filterLeavesMatchingStreams();
    void composedEventReachesTargetOnly_data();
    void composedEventReachesTargetOnly();
    void resendFromHistoryDeliversAgain();
    void eventLogShowsDeliveryStatus();
    void streamDetailShowsResumeAndTrace();
    void scenarioTabRunsAndColorsSteps();
    void pauseSendsRetryAndRemovesRows_data();
    void pauseSendsRetryAndRemovesRows();
    void kickClosesStreamAndRemovesRow_data();
    void kickClosesStreamAndRemovesRow();
    void kickOfUnknownStreamIsRefused();
    void wrongTokenIsRefused();
    void connectDialogShowsRefusalUntilCorrected();
    void reconnectsWhenServerComesBack_data();
    void reconnectsWhenServerComesBack();

private:
    QUrl adminUrl(quint16 port) const { return QUrl(u"http://127.0.0.1:%1"_s.arg(port)); }
    void connectWindow();
    // Opens a stream as the user in the agent's name ("anon-*": no token) on the server.
    void openStream(const QString &agent, quint16 publicPort = 0);
    void openStandardStreams();
    // The model row of the stream with this User-Agent, -1 if none.
    int rowOf(const QString &agent) const;
    QStringList modelAgents() const;
    QStringList proxyAgents() const;
    // Group and user rows as "label (count)", stream rows as their User-Agent.
    QStringList renderTree(const QModelIndex &parent = {}, int depth = 0) const;
    template<typename T>
    T *composerChild(const char *name) const
    {
        return m_window->findChild<ComposerWidget *>()->findChild<T *>(QLatin1String(name));
    }
    QString statusText() const { return m_window->findChild<QLabel *>(u"connectionState"_s)->text(); }

    ServerProcess m_server;
    std::unique_ptr<MainWindow> m_window;
    ConnectionsView *m_view = nullptr;
    std::vector<std::unique_ptr<QAbstractItemModelTester>> m_testers;
    std::map<QString, std::unique_ptr<SseClient>> m_streams;
};

void tst_ConsoleIntegration::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"esh-tests-consoleintegration"_s);
    QCoreApplication::setApplicationName(u"tst_consoleintegration"_s);
    EnglishPlurals::install(QCoreApplication::instance());
    QSettings().clear();
    QVERIFY2(m_server.start({u"--jwt-secret"_s, QString::fromLatin1(secret)}), m_server.output().constData());
}

void tst_ConsoleIntegration::init()
{
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    m_view = m_window->findChild<ConnectionsView *>();
    QVERIFY(m_view);
    for (QAbstractItemModel *model : {static_cast<QAbstractItemModel *>(m_window->connections()),
                                      static_cast<QAbstractItemModel *>(m_view->proxy()),
                                      static_cast<QAbstractItemModel *>(m_view->tree())})
        m_testers.push_back(std::make_unique<QAbstractItemModelTester>(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest));
    m_window->resize(1000, 700);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void tst_ConsoleIntegration::cleanup()
{
    m_streams.clear();
    m_testers.clear();
    m_view = nullptr;
    m_window.reset();
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

void tst_ConsoleIntegration::connectWindow()
{
    m_window->connectTo(adminUrl(m_server.adminPort()), QString::fromLatin1(ServerProcess::adminToken));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::Connected, 10000);
}

void tst_ConsoleIntegration::openStream(const QString &agent, quint16 publicPort)
{
    SseClient::Headers headers{{"User-Agent", agent.toUtf8()}};
    const auto user = users.find(userOf(agent));
    if (user != users.end()) {
        const QJsonObject claims{{u"sub"_s, user->second.id}, {u"name"_s, user->second.name},
                                 {u"groups"_s, user->second.groups},
                                 {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}};
        headers.append({"Authorization", "Bearer " + Jwt::sign(claims, secret)});
    }
    auto client = std::make_unique<SseClient>();
    QVERIFY(client->open(publicPort ? publicPort : m_server.publicPort(), "/eventsource", headers));
    QCOMPARE(client->status(), 200);
    m_streams[agent] = std::move(client);
}

void tst_ConsoleIntegration::openStandardStreams()
{
    for (const QString &agent : {u"alice-1"_s, u"bob-1"_s, u"carol-1"_s, u"anon-1"_s}) {
        openStream(agent);
        if (QTest::currentTestFailed())
            return;
    }
    QTRY_COMPARE(sorted(modelAgents()), (QStringList{u"alice-1"_s, u"anon-1"_s, u"bob-1"_s, u"carol-1"_s}));
}

int tst_ConsoleIntegration::rowOf(const QString &agent) const
{
    const ConnectionModel *model = m_window->connections();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->record(row)->userAgent == agent)
            return row;
    }
    return -1;
}

QStringList tst_ConsoleIntegration::modelAgents() const
{
    QStringList out;
    const ConnectionModel *model = m_window->connections();
    for (int row = 0; row < model->rowCount(); ++row)
        out.append(model->record(row)->userAgent);
    return out;
}

QStringList tst_ConsoleIntegration::proxyAgents() const
{
    QStringList out;
    const ConnectionFilterProxy *proxy = m_view->proxy();
    for (int row = 0; row < proxy->rowCount(); ++row)
        out.append(proxy->index(row, ConnectionModel::UserAgent).data().toString());
    out.sort();
    return out;
}

QStringList tst_ConsoleIntegration::renderTree(const QModelIndex &parent, int depth) const
{
    const ConnectionTreeModel *tree = m_view->tree();
    QStringList out;
    QStringList streams;
    for (int row = 0; row < tree->rowCount(parent); ++row) {
        const QModelIndex index = tree->index(row, 0, parent);
        const QString indent(depth * 2, u' ');
        if (index.data(ConnectionTreeModel::KindRole).toString() == u"stream")
            streams.append(indent + tree->index(row, ConnectionModel::UserAgent, parent).data().toString());
        else
            out += QStringList{indent + index.data().toString()} + renderTree(index, depth + 1);
    }
    streams.sort(); // streams keep arrival order; the check does not depend on it
    return out + streams;
}

void tst_ConsoleIntegration::reachesConnected()
{
    QSignalSpy states(m_window->client(), &ControlClient::stateChanged);
    connectWindow();
    QCOMPARE(states.first().first().value<ControlClient::State>(), ControlClient::State::Connecting);
    QVERIFY(!m_window->client()->serverVersion().isEmpty());
    QCOMPARE(m_window->client()->protocolVersion(), 1);
    // The test client points at the hub's streams, as its hello tells them.
    QCOMPARE(m_window->client()->streamUrl(), QUrl(u"http://127.0.0.1:%1/eventsource"_s.arg(m_server.publicPort())));
    QCOMPARE(m_window->findChild<QLineEdit *>(u"baseUrlEdit"_s)->text(), u"http://127.0.0.1:%1"_s.arg(m_server.publicPort()));
    QCOMPARE(statusText(), u"Connected to %1 (server %2)"_s.arg(adminUrl(m_server.adminPort()).toString(),
                                                               m_window->client()->serverVersion()));
}

void tst_ConsoleIntegration::streamsBeforeAndAfterConnectingAppear()
{
    openStream(u"alice-1"_s);
    openStream(u"bob-1"_s);
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 2));
    connectWindow();
    // The snapshot.
    QTRY_COMPARE(sorted(modelAgents()), (QStringList{u"alice-1"_s, u"bob-1"_s}));
    // Batches.
    openStream(u"carol-1"_s);
    openStream(u"anon-1"_s);
    QTRY_COMPARE(sorted(modelAgents()), (QStringList{u"alice-1"_s, u"anon-1"_s, u"bob-1"_s, u"carol-1"_s}));

    struct Expected { QString agent, userId, userName; QStringList groups, groupIds; };
    const Expected expected[] = {
        {u"alice-1"_s, u"u1"_s, u"alice"_s, {u"Marketing"_s}, {u"g1"_s}},
        {u"bob-1"_s, u"u2"_s, u"bob"_s, {u"Engineering"_s}, {u"g2"_s}},
        {u"carol-1"_s, u"u3"_s, u"carol"_s, {u"Marketing"_s, u"Engineering"_s}, {u"g1"_s, u"g2"_s}},
        {u"anon-1"_s, {}, {}, {}, {}},
    };
    for (const Expected &e : expected) {
        const ConnectionRecord *record = m_window->connections()->record(rowOf(e.agent));
        QVERIFY2(record, qPrintable(e.agent));
        QCOMPARE(record->userId, e.userId);
        QCOMPARE(record->userName, e.userName);
        QCOMPARE(record->groups, e.groups);
        QCOMPARE(record->groupIds, e.groupIds);
        QCOMPARE(record->remoteAddress, u"127.0.0.1"_s);
        QVERIFY(!record->session.isEmpty());
        // The same record the admin API lists.
        QCOMPARE(record->id, AdminApi::connectionOf(m_server.adminPort(), e.agent)[u"id"].toString());
    }
    QTRY_COMPARE(m_view->findChild<QLabel *>(u"connectionCount"_s)->text(), u"4 of 4 streams"_s);
}

void tst_ConsoleIntegration::treeGroupsByGroupWithCounts()
{
    connectWindow();
    openStandardStreams();
    openStream(u"alice-2"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 5);
    auto *grouping = m_view->findChild<QComboBox *>(u"grouping"_s);
    QVERIFY(grouping);
    grouping->setCurrentIndex(2); // By group
    QCOMPARE(m_view->tree()->grouping(), ConnectionTreeModel::Grouping::ByGroup);
    const QStringList expected{
        u"Engineering (2)"_s,
        u"  bob (u2) (1)"_s,
        u"    bob-1"_s,
        u"  carol (u3) (1)"_s,
        u"    carol-1"_s,
        u"Marketing (3)"_s,
        u"  alice (u1) (2)"_s,
        u"    alice-1"_s,
        u"    alice-2"_s,
        u"  carol (u3) (1)"_s,
        u"    carol-1"_s,
        u"No group (1)"_s,
        u"  Anonymous (1)"_s,
        u"    anon-1"_s,
    };
    QTRY_COMPARE(renderTree(), expected);

    // A stream going away is counted out.
    m_streams.erase(u"alice-2"_s);
    QTRY_COMPARE(renderTree().mid(5, 4), (QStringList{u"Marketing (2)"_s, u"  alice (u1) (1)"_s, u"    alice-1"_s,
                                                       u"  carol (u3) (1)"_s}));
}

void tst_ConsoleIntegration::filterLeavesMatchingStreams_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("user by name") << u"filterUser"_s << u"bob"_s << QStringList{u"bob-1"_s, u"bob-2"_s};
    QTest::newRow("user by id") << u"filterUser"_s << u"u1"_s << QStringList{u"alice-1"_s};
    QTest::newRow("unknown user") << u"filterUser"_s << u"mallory"_s << QStringList{};
    QTest::newRow("group by name") << u"filterGroup"_s << u"Marketing"_s << QStringList{u"alice-1"_s, u"carol-1"_s};
    QTest::newRow("group by id") << u"filterGroup"_s << u"g2"_s
                                 << QStringList{u"bob-1"_s, u"bob-2"_s, u"carol-1"_s};
    QTest::newRow("free text") << u"filterText"_s << u"anon"_s << QStringList{u"anon-1"_s};
}

void tst_ConsoleIntegration::filterLeavesMatchingStreams()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QStringList, expected);
    connectWindow();
    openStandardStreams();
    openStream(u"bob-2"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 5);
    auto *edit = m_view->findChild<QLineEdit *>(field);
    QVERIFY(edit);
    QTest::keyClicks(edit, value);
    QTRY_COMPARE(proxyAgents(), expected);
    QCOMPARE(m_view->findChild<QLabel *>(u"connectionCount"_s)->text(),
             u"%1 of 5 streams"_s.arg(expected.size()));
    // The filter keeps applying to streams that arrive later.
    openStream(u"bob-3"_s);
    openStream(u"alice-3"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 7);
    for (const QString &agent : {u"bob-3"_s, u"alice-3"_s}) {
        if (expected.contains(agent.left(agent.size() - 1) + u'1'))
            expected.append(agent);
    }
    expected.sort();
    QTRY_COMPARE(proxyAgents(), expected);
}

void tst_ConsoleIntegration::eventLogShowsDeliveryStatus()
{
    connectWindow();
    openStandardStreams();
    const AdminApi::Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), u"logged"_s, u"x"_s);
    QCOMPARE(pushed.delivered, 4);
    auto *view = m_window->findChild<EventLogView *>();
    QVERIFY(view);
    m_window->tabs()->setCurrentWidget(view);
    auto *table = view->findChild<QTableView *>(u"eventTable"_s);
    for (const auto &[agent, stream] : m_streams)
        QVERIFY(stream->waitForMessages(1));
    // The log gets the event in its next batch (every 250 ms), after the history it had.
    const auto rowOfPushed = [&] {
        for (int i = 0; i < table->model()->rowCount(); ++i) {
            if (table->model()->index(i, EventLogModel::Id).data().toString() == pushed.id)
                return table->model()->index(i, EventLogModel::Id);
        }
        return QModelIndex();
    };
    QTRY_VERIFY(rowOfPushed().isValid());
    const QModelIndex row = rowOfPushed();
    table->setCurrentIndex(row);
    auto *status = view->findChild<QLabel *>(u"deliveryStatus"_s);
    QTRY_COMPARE(status->text(), u"%1: delivered to 4, queued on 0, dropped on 0 streams"_s.arg(pushed.id));
    // A stream closes: the counts stay (it had taken the event), and Refresh asks again.
    m_streams.erase(u"anon-1"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 3);
    view->findChild<QPushButton *>(u"refreshDelivery"_s)->click();
    QCOMPARE(status->text(), u"%1: asking…"_s.arg(pushed.id));
    QTRY_COMPARE(status->text(), u"%1: delivered to 4, queued on 0, dropped on 0 streams"_s.arg(pushed.id));
}

void tst_ConsoleIntegration::streamDetailShowsResumeAndTrace()
{
    const QString first = AdminApi::pushNamed(m_server.adminPort(), u"t"_s, u"one"_s).id;
    const QString second = AdminApi::pushNamed(m_server.adminPort(), u"t"_s, u"two"_s).id;
    auto resumed = std::make_unique<SseClient>();
    QVERIFY(resumed->open(m_server.publicPort(), "/eventsource", {{"User-Agent", "resumer"}, {"Last-Event-ID", first.toUtf8()}}));
    QVERIFY(resumed->waitForMessages(1));
    m_streams[u"resumer"_s] = std::move(resumed);
    connectWindow();
    QTRY_VERIFY(rowOf(u"resumer"_s) >= 0);
    const QModelIndex resume = m_window->connections()->index(rowOf(u"resumer"_s), ConnectionModel::Resume);
    QCOMPARE(resume.data().toString(), u"exact from %1, 1 replayed"_s.arg(first));

    auto *table = m_view->findChild<QTableView *>(u"connectionsTable"_s);
    table->setCurrentIndex(m_view->proxy()->mapFromSource(resume.siblingAtColumn(0)));
    auto *detail = m_window->findChild<StreamDetailView *>();
    QVERIFY(detail);
    QCOMPARE(detail->stream(), m_window->connections()->record(rowOf(u"resumer"_s))->id);
    QVERIFY(detail->findChild<QLabel *>(u"streamSummary"_s)->text().contains(u"exact from %1"_s.arg(first)));
    auto *trace = detail->findChild<QTableWidget *>(u"trace"_s);
    QTRY_COMPARE(trace->rowCount(), 1);
    QCOMPARE(trace->item(0, 0)->text(), second);
    QCOMPARE(trace->item(0, 4)->text(), u"replayed"_s);

    const QString live = AdminApi::pushNamed(m_server.adminPort(), QString(), u"three"_s).id;
    QVERIFY(m_streams[u"resumer"_s]->waitForMessages(2));
    detail->findChild<QPushButton *>(u"refreshTrace"_s)->click();
    QTRY_COMPARE(trace->rowCount(), 2);
    QCOMPARE(trace->item(1, 0)->text(), live);
    QCOMPARE(trace->item(1, 1)->text(), u"message"_s);
    QCOMPARE(trace->item(1, 4)->text(), u"live"_s);
}

void tst_ConsoleIntegration::scenarioTabRunsAndColorsSteps()
{
    QTemporaryDir dir;
    const auto write = [&dir](const QString &name, const QByteArray &content) {
        QFile file(dir.filePath(name));
        file.open(QIODevice::WriteOnly);
        file.write(content);
        return file.fileName();
    };
    const QString passing = write(u"passing.ndjson"_s,
        "{\"step\": \"open\", \"client\": \"a\"}\n"
        "{\"step\": \"publish\", \"event\": \"e\", \"data\": \"x\", \"as\": \"x\"}\n"
        "{\"step\": \"expect\", \"client\": \"a\", \"what\": \"events\", \"events\": [{\"event\": \"e\", \"data\": \"x\", \"id\": \"$x\"}]}\n");
    const QString failing = write(u"failing.ndjson"_s,
        "{\"step\": \"open\", \"client\": \"a\"}\n"
        "{\"step\": \"publish\", \"event\": \"e\", \"data\": \"x\"}\n"
        "{\"step\": \"expect\", \"client\": \"a\", \"what\": \"events\", \"events\": [{\"event\": \"other\"}]}\n"
        "{\"step\": \"wait\", \"ms\": 1}\n");
    auto *view = m_window->findChild<ScenarioView *>();
    QVERIFY(view);
    m_window->tabs()->setCurrentWidget(view);
    auto *run = view->findChild<QPushButton *>(u"runScenario"_s);
    auto *table = view->findChild<QTableWidget *>(u"scenarioSteps"_s);
    auto *summary = view->findChild<QLabel *>(u"scenarioSummary"_s);
    QVERIFY(view->loadFile(passing));
    QCOMPARE(table->rowCount(), 3);
    QVERIFY(!run->isEnabled()); // not connected yet
    connectWindow();
    QTRY_VERIFY(run->isEnabled());
    run->click();
    QTRY_COMPARE_WITH_TIMEOUT(summary->text(), u"Every step passed"_s, 15000);
    const QColor green(0xc8, 0xe6, 0xc9);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(table->item(row, 2)->text(), u"passed"_s);
        QCOMPARE(table->item(row, 1)->background().color(), green);
    }

    QVERIFY(view->loadFile(failing));
    run->click();
    QTRY_COMPARE_WITH_TIMEOUT(summary->text(), u"A step failed; the ones after it did not run"_s, 15000);
    QCOMPARE(table->item(1, 2)->text(), u"passed"_s);
    QCOMPARE(table->item(2, 2)->text(), u"failed"_s);
    QCOMPARE(table->item(2, 1)->background().color(), QColor(0xff, 0xcd, 0xd2));
    QVERIFY2(table->item(2, 3)->text().contains(u"expected other"), qPrintable(table->item(2, 3)->text()));
    QCOMPARE(table->item(3, 2)->text(), QString());

    QVERIFY(!view->loadFile(write(u"broken.ndjson"_s, "{\"step\": \"fly\"}\n")));
    QVERIFY(summary->text().contains(u"line 1"));
    QVERIFY(!run->isEnabled());
}

void tst_ConsoleIntegration::composedEventReachesTargetOnly_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("kind"); // TargetPicker::Kind
    QTest::addColumn<QString>("values"); // "session:<agent>" stands for that stream's session
    QTest::addColumn<QStringList>("recipients");

    const QStringList all{u"alice-1"_s, u"anon-1"_s, u"bob-1"_s, u"carol-1"_s};
    QTest::newRow("everyone") << u"news"_s << int(TargetPicker::Kind::Everyone) << QString() << all;
    QTest::newRow("plain message") << QString() << int(TargetPicker::Kind::Everyone) << QString() << all;
    QTest::newRow("user by name") << u"note"_s << int(TargetPicker::Kind::Users) << u"bob"_s
                                  << QStringList{u"bob-1"_s};
    QTest::newRow("user by id") << u"note"_s << int(TargetPicker::Kind::Users) << u"u1"_s
                                << QStringList{u"alice-1"_s};
    QTest::newRow("group by name") << u"memo"_s << int(TargetPicker::Kind::Groups) << u"Marketing"_s
                                   << QStringList{u"alice-1"_s, u"carol-1"_s};
    QTest::newRow("group by id") << u"memo"_s << int(TargetPicker::Kind::Groups) << u"g2"_s
                                 << QStringList{u"bob-1"_s, u"carol-1"_s};
    QTest::newRow("session") << u"hint"_s << int(TargetPicker::Kind::Sessions) << u"session:anon-1"_s
                             << QStringList{u"anon-1"_s};
    QTest::newRow("two users") << u"note"_s << int(TargetPicker::Kind::Users) << u"alice, bob"_s
                               << QStringList{u"alice-1"_s, u"bob-1"_s};
}

void tst_ConsoleIntegration::composedEventReachesTargetOnly()
{
    QFETCH(QString, name);
    QFETCH(int, kind);
    QFETCH(QString, values);
    QFETCH(QStringList, recipients);
    connectWindow();
    openStandardStreams();
    if (values.startsWith(u"session:"))
        values = m_window->connections()->record(rowOf(values.mid(8)))->session;

    m_window->tabs()->setCurrentWidget(m_window->findChild<ComposerWidget *>());
    const QString data = u"composed for %1"_s.arg(QTest::currentDataTag());
    QTest::keyClicks(composerChild<QLineEdit>("eventName"), name);
    QTest::keyClicks(composerChild<QPlainTextEdit>("eventData"), data);
    auto *kindBox = composerChild<QComboBox>("targetKind");
    kindBox->setCurrentIndex(kindBox->findData(QVariant::fromValue(TargetPicker::Kind(kind))));
    QTest::keyClicks(composerChild<QLineEdit>("targetFree"), values);
    // The audience before sending: a dry run, which sends nothing (the streams' messages are
    // checked exactly below).
    auto *reach = composerChild<QLabel>("wouldReach");
    QTRY_COMPARE(reach->text(), (recipients.size() == 1 ? u"would reach 1 stream now"_s : u"would reach %1 streams now"_s.arg(recipients.size())));
    auto *send = composerChild<QPushButton>("send");
    QVERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);

    static const QRegularExpression answer(u"^id (\\S+), delivered to (\\d+) streams?$"_s);
    auto *answerLabel = composerChild<QLabel>("answer");
    QTRY_VERIFY2(answer.match(answerLabel->text()).hasMatch(), qPrintable(answerLabel->text()));
    const QRegularExpressionMatch match = answer.match(answerLabel->text());
    const QString id = match.captured(1);
    QCOMPARE(match.captured(2).toInt(), recipients.size());

    // A broadcast after it: a stream that has it and not the composed event never will.
    const AdminApi::Pushed marker = AdminApi::pushNamed(m_server.adminPort(), u"marker"_s, u"end"_s);
    QCOMPARE(marker.status, 200);
    for (const auto &[agent, stream] : m_streams) {
        const bool addressed = recipients.contains(agent);
        QVERIFY2(stream->waitForMessages(addressed ? 2 : 1), qPrintable(agent));
        QList<SseMessage> expected;
        if (addressed)
            expected.append(SseClient::messageOf(name, data, id));
        expected.append(SseClient::messageOf(u"marker"_s, u"end"_s, marker.id));
        QVERIFY2(stream->messages() == expected, qPrintable(agent + u": "_s + QString::fromUtf8(stream->body())));
    }
}

void tst_ConsoleIntegration::resendFromHistoryDeliversAgain()
{
    connectWindow();
    openStream(u"bob-1"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 1);
    QTest::keyClicks(composerChild<QLineEdit>("eventName"), u"again"_s);
    QTest::keyClicks(composerChild<QPlainTextEdit>("eventData"), u"twice"_s);
    QTest::mouseClick(composerChild<QPushButton>("send"), Qt::LeftButton);
    auto *history = composerChild<QListView>("sentHistory");
    QTRY_COMPARE(history->model()->rowCount(), 1);
    const QString firstAnswer = composerChild<QLabel>("answer")->text();
    QVERIFY2(firstAnswer.startsWith(u"id "), qPrintable(firstAnswer));

    history->setCurrentIndex(history->model()->index(0, 0));
    QTest::mouseClick(composerChild<QPushButton>("resend"), Qt::LeftButton);
    QTRY_COMPARE(history->model()->rowCount(), 2);
    QVERIFY(m_streams[u"bob-1"_s]->waitForMessages(2));
    const QList<SseMessage> messages = m_streams[u"bob-1"_s]->messages();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].type, u"again"_s);
    QCOMPARE(messages[1].type, u"again"_s);
    QCOMPARE(messages[1].data, u"twice"_s);
    QVERIFY(messages[0].lastEventId != messages[1].lastEventId);
    QCOMPARE(composerChild<QLabel>("answer")->text(), u"id %1, delivered to 1 stream"_s.arg(messages[1].lastEventId));
}

void tst_ConsoleIntegration::pauseSendsRetryAndRemovesRows_data()
{
    QTest::addColumn<int>("kind"); // TargetPicker::Kind
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("except");
    QTest::addColumn<QStringList>("paused");

    QTest::newRow("everyone") << int(TargetPicker::Kind::Everyone) << QStringList() << QString()
                              << QStringList{u"alice-1"_s, u"anon-1"_s, u"bob-1"_s, u"carol-1"_s};
    QTest::newRow("user bob") << int(TargetPicker::Kind::Users) << QStringList{u"bob"_s} << QString()
                              << QStringList{u"bob-1"_s};
    QTest::newRow("Engineering except Marketing") << int(TargetPicker::Kind::Groups) << QStringList{u"Engineering"_s}
                                                  << u"Marketing"_s << QStringList{u"bob-1"_s};
    QTest::newRow("everyone except g2") << int(TargetPicker::Kind::Everyone) << QStringList() << u"g2"_s
                                        << QStringList{u"alice-1"_s, u"anon-1"_s};
}

void tst_ConsoleIntegration::pauseSendsRetryAndRemovesRows()
{
    QFETCH(int, kind);
    QFETCH(QStringList, values);
    QFETCH(QString, except);
    QFETCH(QStringList, paused);
    connectWindow();
    openStandardStreams();

    PauseDialog dialog(m_window->connections(), m_window.get());
    dialog.setTarget(TargetPicker::Kind(kind), values);
    dialog.findChild<QSpinBox *>(u"delay"_s)->setValue(4321);
    QTest::keyClicks(dialog.findChild<QLineEdit *>(u"exceptGroups"_s), except);
    QCOMPARE(dialog.affectedStreams(), paused.size());

    bool answered = false;
    QJsonObject result;
    QString error;
    m_window->client()->request(u"pause"_s, dialog.request(), [&](const QJsonObject &r, const QString &e) {
        answered = true;
        result = r;
        error = e;
    });
    QTRY_VERIFY(answered);
    QCOMPARE(error, QString());
    QCOMPARE(result[u"paused"].toInt(), paused.size());
    QCOMPARE(result[u"delay"].toInt(), 4321);

    QStringList remaining;
    for (const auto &[agent, stream] : m_streams) {
        if (!paused.contains(agent)) {
            remaining.append(agent);
            continue;
        }
        QVERIFY2(stream->waitForBody("retry: 4321\n"), qPrintable(agent));
        QVERIFY2(stream->waitForClosed(), qPrintable(agent));
    }
    QTRY_COMPARE(sorted(modelAgents()), remaining);
    QCOMPARE(AdminApi::connections(m_server.adminPort()), remaining.size());
}

void tst_ConsoleIntegration::kickClosesStreamAndRemovesRow_data()
{
    QTest::addColumn<bool>("fromView");
    QTest::newRow("control request") << false;
    QTest::newRow("connections view menu") << true;
}

void tst_ConsoleIntegration::kickClosesStreamAndRemovesRow()
{
    QFETCH(bool, fromView);
    connectWindow();
    openStandardStreams();
    const QString id = m_window->connections()->record(rowOf(u"carol-1"_s))->id;
    QVERIFY(!id.isEmpty());

    if (fromView) {
        // What the context menu's "Kick stream" does; MainWindow sends the request.
        Q_EMIT m_view->kickRequested(id);
        QTRY_COMPARE(m_window->statusBar()->currentMessage(), u"Stream %1 closed"_s.arg(id));
    } else {
        bool answered = false;
        QJsonObject result;
        QString error;
        m_window->client()->request(u"kick"_s, {{u"connection"_s, id}}, [&](const QJsonObject &r, const QString &e) {
            answered = true;
            result = r;
            error = e;
        });
        QTRY_VERIFY(answered);
        QCOMPARE(error, QString());
        QCOMPARE(result[u"closed"].toString(), id);
    }
    QVERIFY(m_streams[u"carol-1"_s]->waitForClosed());
    QTRY_COMPARE(rowOf(u"carol-1"_s), -1);
    QCOMPARE(sorted(modelAgents()), (QStringList{u"alice-1"_s, u"anon-1"_s, u"bob-1"_s}));
    QVERIFY(!m_streams[u"alice-1"_s]->isClosed());
}

void tst_ConsoleIntegration::kickOfUnknownStreamIsRefused()
{
    connectWindow();
    openStream(u"alice-1"_s);
    QTRY_COMPARE(m_window->connections()->rowCount(), 1);
    bool answered = false;
    QString error;
    m_window->client()->request(u"kick"_s, {{u"connection"_s, u"999999"_s}}, [&](const QJsonObject &, const QString &e) {
        answered = true;
        error = e;
    });
    QTRY_VERIFY(answered);
    QVERIFY(!error.isEmpty());
    QCOMPARE(m_window->client()->state(), ControlClient::State::Connected);
    QCOMPARE(m_window->connections()->rowCount(), 1);
}

void tst_ConsoleIntegration::wrongTokenIsRefused()
{
    QSignalSpy states(m_window->client(), &ControlClient::stateChanged);
    m_window->connectTo(adminUrl(m_server.adminPort()), u"wrong-token"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::AuthRefused, 10000);
    QVERIFY2(statusText().startsWith(u"%1 refused the admin token"_s.arg(adminUrl(m_server.adminPort()).toString())),
             qPrintable(statusText()));
    // A refusal is final: no reconnect after the first backoff (1 s) would have passed.
    states.clear();
    QVERIFY(!states.wait(2500));
    QCOMPARE(m_window->client()->state(), ControlClient::State::AuthRefused);
}

void tst_ConsoleIntegration::connectDialogShowsRefusalUntilCorrected()
{
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showConnectDialog();
    QPointer<ConnectDialog> dialog = m_window->connectDialog();
    QVERIFY(dialog);
    dialog->setUrl(adminUrl(m_server.adminPort()));
    dialog->setToken(u"wrong-token"_s);
    dialog->submit();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::AuthRefused, 10000);
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY2(dialog->problem().startsWith(u"The server refused this token ("_s), qPrintable(dialog->problem()));
    QCOMPARE(m_window->banner()->action(), ConnectionBanner::Action::Connect);
    QVERIFY(!m_window->banner()->isHidden());

    dialog->setToken(QString::fromLatin1(ServerProcess::adminToken));
    dialog->submit();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::Connected, 10000);
    QTRY_VERIFY(!dialog);
    QVERIFY(m_window->banner()->isHidden());
}

void tst_ConsoleIntegration::reconnectsWhenServerComesBack_data()
{
    QTest::addColumn<bool>("kill");
    QTest::newRow("stopped") << false;
    // No batch closes its streams: only the next snapshot can drop them.
    QTest::newRow("killed") << true;
}

void tst_ConsoleIntegration::reconnectsWhenServerComesBack()
{
    QFETCH(bool, kill);
    ServerProcess first;
    QVERIFY2(first.start({u"--jwt-secret"_s, QString::fromLatin1(secret)}), first.output().constData());
    const quint16 adminPort = first.adminPort();
    m_window->connectTo(adminUrl(adminPort), QString::fromLatin1(ServerProcess::adminToken));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::Connected, 10000);
    // Two streams: the new server numbers its streams from 1 again, so the one stream it
    // will have shares an id with the first of these.
    openStream(u"alice-1"_s, first.publicPort());
    openStream(u"carol-1"_s, first.publicPort());
    QTRY_COMPARE(sorted(modelAgents()), (QStringList{u"alice-1"_s, u"carol-1"_s}));

    if (kill)
        first.kill();
    else
        QCOMPARE(first.stop(), 0);
    m_streams.clear();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::Reconnecting, 10000);
    QVERIFY2(statusText().startsWith(u"Connection to %1 lost: retrying in"_s.arg(adminUrl(adminPort).toString())),
             qPrintable(statusText()));
    // The disconnected state: a banner that says so and offers to retry, the streams greyed
    // and out of reach, no pause.
    QVERIFY(!m_window->banner()->isHidden());
    QVERIFY2(m_window->banner()->text().startsWith(u"Lost the connection to %1: retrying in"_s.arg(adminUrl(adminPort).toString())),
             qPrintable(m_window->banner()->text()));
    QCOMPARE(m_window->banner()->action(), ConnectionBanner::Action::Retry);
    QVERIFY(!m_view->table()->isEnabled());
    QVERIFY(!m_view->isLive());
    for (const QAction *action : m_window->findChildren<QAction *>()) {
        if (action->text() == u"&Pause streams…")
            QVERIFY(!action->isEnabled());
    }

    ServerProcess second;
    QVERIFY2(second.start({u"--jwt-secret"_s, QString::fromLatin1(secret), u"--admin-listen"_s,
                           u"127.0.0.1:%1"_s.arg(adminPort)}),
             second.output().constData());
    QCOMPARE(second.adminPort(), adminPort);
    openStream(u"bob-1"_s, second.publicPort());
    // Unless a backoff attempt got there first, "Retry now" connects without waiting for the
    // next one (tst_mainwindow checks that the button starts an attempt at once).
    if (m_window->client()->state() == ControlClient::State::Reconnecting)
        QTest::mouseClick(m_window->banner()->findChild<QPushButton *>(u"bannerAction"_s), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->client()->state(), ControlClient::State::Connected, 20000);
    QVERIFY(m_window->banner()->isHidden());
    QVERIFY(m_view->table()->isEnabled());
    // The new server's snapshot replaces what the first one had.
    QTRY_COMPARE(modelAgents(), QStringList{u"bob-1"_s});
    QVERIFY2(statusText().startsWith(u"Connected to "_s), qPrintable(statusText()));

    m_streams.clear();
    m_window->client()->disconnectFromServer();
    QVERIFY(AdminApi::waitForConnections(second.adminPort(), 0));
}

QTEST_MAIN(tst_ConsoleIntegration)
#include "tst_consoleintegration.moc"
