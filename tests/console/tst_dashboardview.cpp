#include "dashboardview.h"

#include "barbreakdownchart.h"
#include "connectionmodel.h"
#include "timeserieschart.h"

#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace {

const QDateTime start = QDateTime::fromString(u"2026-12-02T10:00:00Z"_s, Qt::ISODate);

ConnectionRecord record(const QString &id, const QString &user, const QStringList &groups, const QString &agent)
{
    ConnectionRecord record;
    record.id = id;
    record.session = u"s-"_s + id;
    record.userId = user;
    record.userName = user;
    record.groups = groups;
    record.userAgent = agent;
    return record;
}

StatsTick tick()
{
    StatsTick tick;
    tick.connections = 15000;
    tick.eventsPerSecond = 12;
    tick.deliveriesPerSecond = 180000;
    tick.bytesPerSecond = 2.5 * 1024 * 1024;
    tick.droppedSlowConsumers = 3;
    tick.eventsPublished = 1234567;
    tick.limitsHit = 42;
    tick.historySize = 1000;
    return tick;
}

} // namespace

// The Dashboard tab: figures from the stats tick and the streams list ("—" for what the tick
// does not carry, and for everything while not connected), one chart per unit, bars that
// follow the streams.
class tst_DashboardView final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void figuresUnavailableUntilLive();
    void figuresFromTheTick_data();
    void figuresFromTheTick();
    void figuresAnOlderServerLacks();
    void notLiveShowsDashesChartsKeepHistory();
    void oneUnitPerChart_data();
    void oneUnitPerChart();
    void barsFollowTheStreams();

private:
    std::unique_ptr<ConnectionModel> m_model;
    std::unique_ptr<DashboardView> m_view;
};

void tst_DashboardView::init()
{
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    m_model = std::make_unique<ConnectionModel>();
    m_model->resetRecords({record(u"1"_s, u"alice"_s, {u"Marketing"_s}, u"Chrome/156"_s),
                           record(u"2"_s, u"alice"_s, {u"Marketing"_s, u"Support"_s}, u"Chrome/156"_s),
                           record(u"3"_s, u"bob"_s, {u"Support"_s}, u"Safari/19"_s),
                           record(u"4"_s, {}, {}, u"kiosk/1.0"_s)});
    m_view = std::make_unique<DashboardView>(m_model.get());
}

void tst_DashboardView::cleanup()
{
    m_view.reset();
    m_model.reset();
}

void tst_DashboardView::figuresUnavailableUntilLive()
{
    QCOMPARE(DashboardView::figureKeys().size(), 10);
    for (const QString &key : DashboardView::figureKeys()) {
        QCOMPARE(m_view->figure(key), u"—"_s);
        QVERIFY(m_view->findChild<QLabel *>(u"figure_"_s + key));
    }
    QCOMPARE(m_view->figure(u"nonsense"_s), QString());
}

void tst_DashboardView::figuresFromTheTick_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");
    QTest::newRow("streams") << u"streams"_s << u"15,000"_s;
    QTest::newRow("users: distinct, from the streams") << u"users"_s << u"2"_s;
    QTest::newRow("groups: distinct, from the streams") << u"groups"_s << u"2"_s;
    QTest::newRow("events/s") << u"eventsPerSecond"_s << u"12"_s;
    QTest::newRow("deliveries/s") << u"deliveriesPerSecond"_s << u"180,000"_s;
    QTest::newRow("bytes/s") << u"bytesPerSecond"_s << u"2.50 MiB/s"_s;
    QTest::newRow("slow consumers") << u"slowConsumersDropped"_s << u"3"_s;
    QTest::newRow("events published") << u"eventsPublished"_s << u"1,234,567"_s;
    QTest::newRow("limits hit") << u"limitsHit"_s << u"42"_s;
    QTest::newRow("history size") << u"historySize"_s << u"1,000"_s;
}

// A tick from a server that does not report them: unknown, not 0.
void tst_DashboardView::figuresAnOlderServerLacks()
{
    StatsTick older = tick();
    older.limitsHit.reset();
    older.historySize.reset();
    m_view->setLive(true);
    m_view->addStats(older, start);
    QCOMPARE(m_view->figure(u"limitsHit"_s), u"—"_s);
    QCOMPARE(m_view->figure(u"historySize"_s), u"—"_s);
    QCOMPARE(m_view->figure(u"streams"_s), u"15,000"_s);
}

void tst_DashboardView::figuresFromTheTick()
{
    QFETCH(QString, key);
    QFETCH(QString, expected);
    m_view->setLive(true);
    m_view->addStats(tick(), start);
    QCOMPARE(m_view->figure(key), expected);
}

void tst_DashboardView::notLiveShowsDashesChartsKeepHistory()
{
    m_view->setLive(true);
    m_view->addStats(tick(), start);
    QCOMPARE(m_view->figure(u"streams"_s), u"15,000"_s);
    m_view->setLive(false);
    for (const QString &key : DashboardView::figureKeys())
        QCOMPARE(m_view->figure(key), u"—"_s);
    QCOMPARE(m_view->streamsChart()->sampleCount(), 1);
    // A tick that still arrives is charted, not shown as a live figure.
    m_view->addStats(tick(), start.addSecs(1));
    QCOMPARE(m_view->streamsChart()->sampleCount(), 2);
    QCOMPARE(m_view->figure(u"streams"_s), u"—"_s);
}

void tst_DashboardView::oneUnitPerChart_data()
{
    QTest::addColumn<QString>("chart");
    QTest::addColumn<QString>("unit");
    QTest::addColumn<double>("value"); // the tick's, in the chart's unit
    QTest::newRow("streams") << u"streamsChart"_s << u"streams"_s << 15000.0;
    QTest::newRow("events") << u"eventsChart"_s << u"events/s"_s << 12.0;
    QTest::newRow("deliveries") << u"deliveriesChart"_s << u"deliveries/s"_s << 180000.0;
    QTest::newRow("bytes") << u"bytesChart"_s << u"KiB/s"_s << 2560.0;
}

void tst_DashboardView::oneUnitPerChart()
{
    QFETCH(QString, chart);
    QFETCH(QString, unit);
    QFETCH(double, value);
    m_view->addStats(tick(), start);
    auto *view = m_view->findChild<TimeSeriesChart *>(chart);
    QVERIFY(view);
    QCOMPARE(view->chart()->series().size(), 1);
    QCOMPARE(view->chart()->axes(Qt::Vertical).size(), 1);
    QCOMPARE(view->valueAxis()->titleText(), unit);
    QCOMPARE(view->series(0)->at(0), QPointF(double(start.toMSecsSinceEpoch()), value));
    QVERIFY(view->valueAxis()->max() >= value);
    QVERIFY(view->valueAxis()->max() < 2 * value);
}

void tst_DashboardView::barsFollowTheStreams()
{
    using Slices = QList<StreamBreakdown::Slice>;
    QCOMPARE(m_view->groupsChart()->slices(),
             (Slices{{u"Marketing"_s, 2}, {u"Support"_s, 2}, {u"no group"_s, 1}}));
    QCOMPARE(m_view->agentsChart()->slices(),
             (Slices{{u"Chrome/156"_s, 2}, {u"Safari/19"_s, 1}, {u"kiosk/1.0"_s, 1}}));
    m_view->setLive(true);
    m_model->applyBatch({record(u"5"_s, u"carol"_s, {u"Ops"_s}, u"Safari/19"_s)}, {u"1"_s, u"2"_s}, {});
    QTRY_COMPARE(m_view->groupsChart()->slices(),
                 (Slices{{u"Ops"_s, 1}, {u"Support"_s, 1}, {u"no group"_s, 1}}));
    QCOMPARE(m_view->agentsChart()->slices(), (Slices{{u"Safari/19"_s, 2}, {u"kiosk/1.0"_s, 1}}));
    QCOMPARE(m_view->figure(u"users"_s), u"2"_s);
    QCOMPARE(m_view->figure(u"groups"_s), u"2"_s);
}

QTEST_MAIN(tst_DashboardView)
#include "tst_dashboardview.moc"
