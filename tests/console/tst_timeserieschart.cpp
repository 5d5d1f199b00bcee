#include "timeserieschart.h"

#include <QDateTimeAxis>
#include <QImage>
#include <QLineSeries>
#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

namespace {

const QDateTime start = QDateTime::fromString(u"2026-12-02T10:00:00Z"_s, Qt::ISODate);

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

// One measure over time: a time axis, one value axis titled with the unit (shared by every
// series of the chart), at most maxSamples points, a scale that follows the data.
class tst_TimeSeriesChart final : public QObject
{
    Q_OBJECT

private slots:
    void axesTitledAndShared();
    void keepsLastSamples_data();
    void keepsLastSamples();
    void valueScaleFollowsData_data();
    void valueScaleFollowsData();
    void timeAxisSpansTheSamples_data();
    void timeAxisSpansTheSamples();
    void wrongValueCountIgnored();
    void drawsTheLineInsideThePlot();
};

void tst_TimeSeriesChart::axesTitledAndShared()
{
    TimeSeriesChart chart(u"Events published"_s, u"events/s"_s, {u"events/s"_s});
    QCOMPARE(chart.chart()->title(), u"Events published"_s);
    QCOMPARE(chart.chart()->axes(Qt::Horizontal), QList<QAbstractAxis *>{chart.timeAxis()});
    QCOMPARE(chart.chart()->axes(Qt::Vertical), QList<QAbstractAxis *>{chart.valueAxis()});
    QCOMPARE(chart.valueAxis()->titleText(), u"events/s"_s);
    QCOMPARE(chart.timeAxis()->titleText(), u"time"_s);
    QCOMPARE(chart.timeAxis()->format(), u"hh:mm:ss"_s);
    for (QAbstractAxis *axis : chart.chart()->axes()) {
        QVERIFY(axis->isVisible());
        QVERIFY(axis->isGridLineVisible());
        QVERIFY(axis->labelsVisible());
    }
    QVERIFY(chart.timeAxis()->tickCount() >= 3);
    QVERIFY(chart.valueAxis()->tickCount() >= 3);

    // Two series of one unit share the one value axis.
    TimeSeriesChart pair(u"t"_s, u"streams"_s, {u"open"_s, u"paused"_s});
    QCOMPARE(pair.chart()->axes(Qt::Vertical).size(), 1);
    for (int i = 0; i < 2; ++i)
        QCOMPARE(pair.series(i)->attachedAxes(),
                 (QList<QAbstractAxis *>{pair.timeAxis(), pair.valueAxis()}));
    QVERIFY(pair.chart()->legend()->isVisible());
    QVERIFY(!chart.chart()->legend()->isVisible()); // one series: the title says it
}

void tst_TimeSeriesChart::keepsLastSamples_data()
{
    QTest::addColumn<int>("added");
    QTest::addColumn<int>("expected");
    QTest::newRow("none") << 0 << 0;
    QTest::newRow("one") << 1 << 1;
    QTest::newRow("the bound") << TimeSeriesChart::maxSamples << TimeSeriesChart::maxSamples;
    QTest::newRow("one over") << TimeSeriesChart::maxSamples + 1 << TimeSeriesChart::maxSamples;
    QTest::newRow("far over") << 3 * TimeSeriesChart::maxSamples << TimeSeriesChart::maxSamples;
}

void tst_TimeSeriesChart::keepsLastSamples()
{
    QFETCH(int, added);
    QFETCH(int, expected);
    QCOMPARE(TimeSeriesChart::maxSamples, 600);
    TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s, u"b"_s});
    for (int i = 0; i < added; ++i)
        chart.addSample(start.addSecs(i), {double(i), double(i % 7)});
    QCOMPARE(chart.sampleCount(), expected);
    QCOMPARE(chart.series(1)->count(), expected);
    if (added > 0) // the newest stay
        QCOMPARE(chart.series(0)->at(expected - 1).y(), double(added - 1));
}

void tst_TimeSeriesChart::valueScaleFollowsData_data()
{
    QTest::addColumn<QList<double>>("values");
    QTest::addColumn<double>("top");
    QTest::newRow("idle") << QList<double>{0, 0} << 1.0;
    QTest::newRow("a few events/s") << QList<double>{1, 3, 2} << 5.0;
    QTest::newRow("tens") << QList<double>{12, 36} << 50.0;
    QTest::newRow("deliveries at 15,000 streams") << QList<double>{150000, 180000} << 200000.0;
    QTest::newRow("just under a round top") << QList<double>{90} << 100.0;
}

void tst_TimeSeriesChart::valueScaleFollowsData()
{
    QFETCH(QList<double>, values);
    QFETCH(double, top);
    TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s});
    for (qsizetype i = 0; i < values.size(); ++i)
        chart.addSample(start.addSecs(i), {values[i]});
    QCOMPARE(chart.valueAxis()->min(), 0.0);
    QCOMPARE(chart.valueAxis()->max(), top);
}

void tst_TimeSeriesChart::timeAxisSpansTheSamples_data()
{
    QTest::addColumn<int>("samples");
    QTest::addColumn<int>("secondsApart");
    QTest::addColumn<int>("shownSeconds");
    QTest::newRow("a few seconds: the minimum minute") << 5 << 1 << 60;
    QTest::newRow("five minutes") << 300 << 1 << 299;
    QTest::newRow("past the bound: the last 600 samples") << 900 << 1 << 599;
    QTest::newRow("slow ticks") << 100 << 5 << 495;
}

void tst_TimeSeriesChart::timeAxisSpansTheSamples()
{
    QFETCH(int, samples);
    QFETCH(int, secondsApart);
    QFETCH(int, shownSeconds);
    TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s});
    for (int i = 0; i < samples; ++i)
        chart.addSample(start.addSecs(qint64(i) * secondsApart), {1});
    const QDateTime last = start.addSecs(qint64(samples - 1) * secondsApart);
    QCOMPARE(chart.timeAxis()->max(), last);
    QCOMPARE(chart.timeAxis()->min(), last.addSecs(-shownSeconds));
}

void tst_TimeSeriesChart::wrongValueCountIgnored()
{
    TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s, u"b"_s});
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"sample ignored"_s));
    chart.addSample(start, {1});
    QCOMPARE(chart.sampleCount(), 0);
    chart.addSample(start, {1, 2});
    QCOMPARE(chart.sampleCount(), 1);
    chart.clear();
    QCOMPARE(chart.sampleCount(), 0);
}

void tst_TimeSeriesChart::drawsTheLineInsideThePlot()
{
    TimeSeriesChart chart(u"t"_s, u"u"_s, {u"a"_s});
    chart.resize(600, 300);
    const QColor line = chart.series(0)->color();
    const QImage empty = chart.grab().toImage();
    const QRect plot = chart.chart()->plotArea().toRect().adjusted(2, 2, -2, -2);
    const qreal ratio = empty.devicePixelRatio();
    const QRect pixels(plot.topLeft() * ratio, plot.size() * ratio);
    QVERIFY(!containsColour(empty, pixels, line));
    for (int i = 0; i < 120; ++i)
        chart.addSample(start.addSecs(i), {double(10 * (i % 5))});
    const QImage drawn = chart.grab().toImage();
    QVERIFY(containsColour(drawn, pixels, line));
}

QTEST_MAIN(tst_TimeSeriesChart)
#include "tst_timeserieschart.moc"
