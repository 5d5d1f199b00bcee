#include "streambreakdown.h"

#include "connectionmodel.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

using Slices = QList<StreamBreakdown::Slice>;
using Counts = QHash<QString, int>;

ConnectionRecord record(const QString &id, const QStringList &groups, const QString &agent)
{
    ConnectionRecord record;
    record.id = id;
    record.session = u"s-"_s + id;
    record.groups = groups;
    record.userAgent = agent;
    return record;
}

} // namespace

Q_DECLARE_METATYPE(Slices)

// Streams per group and per user agent for the dashboard's bars: largest first, the top
// entries, then "other".
class tst_StreamBreakdown final : public QObject
{
    Q_OBJECT

private slots:
    void largest_data();
    void largest();
    void byGroupCountsEachGroup();
    void byUserAgentKeepsTheWholeHeader();
};

void tst_StreamBreakdown::largest_data()
{
    QTest::addColumn<Counts>("counts");
    QTest::addColumn<int>("top");
    QTest::addColumn<Slices>("expected");
    QTest::newRow("empty") << Counts{} << 3 << Slices{};
    QTest::newRow("under the top: all, largest first")
        << Counts{{u"a"_s, 1}, {u"b"_s, 5}} << 3 << Slices{{u"b"_s, 5}, {u"a"_s, 1}};
    QTest::newRow("ties by label") << Counts{{u"b"_s, 2}, {u"a"_s, 2}} << 3
                                   << Slices{{u"a"_s, 2}, {u"b"_s, 2}};
    QTest::newRow("one past the top: itself, no other of one")
        << Counts{{u"a"_s, 3}, {u"b"_s, 2}, {u"c"_s, 1}} << 2
        << Slices{{u"a"_s, 3}, {u"b"_s, 2}, {u"c"_s, 1}};
    QTest::newRow("the rest summed as other")
        << Counts{{u"a"_s, 9}, {u"b"_s, 7}, {u"c"_s, 3}, {u"d"_s, 2}, {u"e"_s, 1}} << 2
        << Slices{{u"a"_s, 9}, {u"b"_s, 7}, {u"other"_s, 6}};
}

void tst_StreamBreakdown::largest()
{
    QFETCH(Counts, counts);
    QFETCH(int, top);
    QFETCH(Slices, expected);
    QCOMPARE(StreamBreakdown::largest(counts, top), expected);
}

void tst_StreamBreakdown::byGroupCountsEachGroup()
{
    ConnectionModel model;
    model.resetRecords({record(u"1"_s, {u"Marketing"_s}, {}), record(u"2"_s, {u"Marketing"_s, u"Support"_s}, {}),
                        record(u"3"_s, {}, {}), record(u"4"_s, {u"Support"_s}, {}), record(u"5"_s, {u"Ops"_s}, {}),
                        record(u"6"_s, {u"Marketing"_s}, {})});
    QCOMPARE(StreamBreakdown::byGroup(model, 8),
             (Slices{{u"Marketing"_s, 3}, {u"Support"_s, 2}, {u"Ops"_s, 1}, {u"no group"_s, 1}}));
    QCOMPARE(StreamBreakdown::byGroup(model, 1), (Slices{{u"Marketing"_s, 3}, {u"other"_s, 4}}));
}

void tst_StreamBreakdown::byUserAgentKeepsTheWholeHeader()
{
    const QString chrome = u"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36"_s;
    ConnectionModel model;
    model.resetRecords({record(u"1"_s, {}, chrome), record(u"2"_s, {}, chrome), record(u"3"_s, {}, u"kiosk/1.0"_s),
                        record(u"4"_s, {}, {})});
    QCOMPARE(StreamBreakdown::byUserAgent(model, 8),
             (Slices{{chrome, 2}, {u"kiosk/1.0"_s, 1}, {u"no user agent"_s, 1}}));
}

QTEST_GUILESS_MAIN(tst_StreamBreakdown)
#include "tst_streambreakdown.moc"
