#include "barbreakdownchart.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHorizontalBarSeries>
#include <QTest>
#include <QValueAxis>

using namespace Qt::StringLiterals;

using Slices = QList<StreamBreakdown::Slice>;

// The dashboard's bar chart: largest bar on top, a value axis in streams, long labels
// shortened but distinct.
class tst_BarBreakdownChart final : public QObject
{
    Q_OBJECT

private slots:
    void emptyShowsNoStreams();
    void largestOnTop();
    void longLabelsShortenedAndDistinct();
    void valueAxisInWholeStreams_data();
    void valueAxisInWholeStreams();
};

void tst_BarBreakdownChart::emptyShowsNoStreams()
{
    BarBreakdownChart chart(u"Streams per group"_s);
    QCOMPARE(chart.chart()->title(), u"Streams per group"_s);
    QCOMPARE(chart.shownLabels(), QStringList{u"no streams"_s});
    QCOMPARE(chart.chart()->axes(Qt::Horizontal), QList<QAbstractAxis *>{chart.valueAxis()});
    QCOMPARE(chart.chart()->axes(Qt::Vertical), QList<QAbstractAxis *>{chart.categoryAxis()});
    QCOMPARE(chart.valueAxis()->titleText(), u"streams"_s);
}

void tst_BarBreakdownChart::largestOnTop()
{
    BarBreakdownChart chart(u"t"_s);
    chart.setSlices({{u"Marketing"_s, 30}, {u"Support"_s, 12}, {u"other"_s, 4}});
    QCOMPARE(chart.shownLabels(), (QStringList{u"Marketing"_s, u"Support"_s, u"other"_s}));
    // Qt lists a horizontal chart's categories bottom up, the bar values in the same order.
    auto *series = qobject_cast<QHorizontalBarSeries *>(chart.chart()->series().value(0));
    QVERIFY(series);
    const QBarSet *set = series->barSets().value(0);
    QCOMPARE(set->count(), 3);
    QCOMPARE(set->at(0), 4.0);
    QCOMPARE(set->at(2), 30.0);

    chart.setSlices({{u"Ops"_s, 2}});
    QCOMPARE(chart.shownLabels(), QStringList{u"Ops"_s});
    QCOMPARE(set->count(), 1);
}

void tst_BarBreakdownChart::longLabelsShortenedAndDistinct()
{
    const QString a = u"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML) Chrome/156.0 Safari/537.36"_s;
    const QString b = u"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (Gecko) Chrome/156.0 Safari/537.36"_s;
    BarBreakdownChart chart(u"t"_s);
    chart.setSlices({{a, 5}, {b, 3}, {u"kiosk/1.0"_s, 1}});
    const QStringList labels = chart.shownLabels();
    QCOMPARE(labels.size(), 3);
    // Shortened in the middle; a trailing space may keep two alike apart.
    QCOMPARE(labels[0].trimmed().size(), BarBreakdownChart::maxLabelLength);
    QCOMPARE(labels[1].trimmed().size(), BarBreakdownChart::maxLabelLength);
    QVERIFY(labels[0].contains(u'…'));
    QVERIFY(labels[0].startsWith(a.left(10)));
    QVERIFY(labels[0].trimmed().endsWith(a.right(10)));
    QVERIFY(labels[1] != labels[0]); // they shorten alike; categories stay distinct
    QCOMPARE(labels[2], u"kiosk/1.0"_s);
    QCOMPARE(chart.slices().first().label, a); // the whole label is kept for the tooltip
}

void tst_BarBreakdownChart::valueAxisInWholeStreams_data()
{
    QTest::addColumn<int>("largest");
    QTest::addColumn<int>("tickCount");
    QTest::newRow("one") << 1 << 2;
    QTest::newRow("three: a tick per stream") << 3 << 4;
    QTest::newRow("five") << 5 << 6;
    QTest::newRow("six: steps of two") << 6 << 4;
    QTest::newRow("many: round steps") << 1234 << -1;
}

void tst_BarBreakdownChart::valueAxisInWholeStreams()
{
    QFETCH(int, largest);
    QFETCH(int, tickCount);
    BarBreakdownChart chart(u"t"_s);
    chart.setSlices({{u"a"_s, largest}});
    QCOMPARE(chart.valueAxis()->min(), 0.0);
    QVERIFY(chart.valueAxis()->max() >= largest);
    if (tickCount > 0) {
        QCOMPARE(chart.valueAxis()->max(), double(largest));
        QCOMPARE(chart.valueAxis()->tickCount(), tickCount);
    } else {
        // Every tick on a whole number of streams.
        const double step = chart.valueAxis()->max() / (chart.valueAxis()->tickCount() - 1);
        QCOMPARE(step, std::round(step));
        QVERIFY(chart.valueAxis()->max() < 2 * largest);
        QVERIFY(chart.valueAxis()->tickCount() >= 3);
        QVERIFY(chart.valueAxis()->tickCount() <= 6);
    }
}

QTEST_MAIN(tst_BarBreakdownChart)
#include "tst_barbreakdownchart.moc"
