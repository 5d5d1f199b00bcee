#include "connectionmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(ConnectionRecord)

namespace {

ConnectionRecord makeRecord(const QString &id, const QString &userId = {}, const QString &userName = {},
                            const QStringList &groups = {})
{
    ConnectionRecord record;
    record.id = id;
    record.session = QStringLiteral("session-") + id;
    record.userId = userId;
    record.userName = userName;
    record.groups = groups;
    for (const QString &group : groups)
        record.groupIds.append(QStringLiteral("id-") + group);
    record.remoteAddress = QStringLiteral("127.0.0.1");
    record.userAgent = QStringLiteral("agent/1.0");
    record.connectedAt = QDateTime(QDate(2026, 11, 25), QTime(18, 48, 30, 936), Qt::UTC);
    return record;
}

QList<ConnectionRecord> makeRecords(const QStringList &ids)
{
    QList<ConnectionRecord> out;
    for (const QString &id : ids)
        out.append(makeRecord(id));
    return out;
}

QStringList range(int first, int last)
{
    QStringList out;
    for (int i = first; i <= last; ++i)
        out.append(QString::number(i));
    return out;
}

QStringList idsOf(const ConnectionModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data(ConnectionModel::RecordIdRole).toString());
    return out;
}

// Records every structural signal as text, e.g. "insert 3-4", "remove 1-2", "reset",
// "change 0-0 8-10" (rows, then columns).
class SignalLog final
{
public:
    explicit SignalLog(ConnectionModel *model)
    {
        QObject::connect(model, &QAbstractItemModel::rowsInserted, model, [this](const QModelIndex &, int first, int last) {
            events.append(QStringLiteral("insert %1-%2").arg(first).arg(last));
        });
        QObject::connect(model, &QAbstractItemModel::rowsRemoved, model, [this](const QModelIndex &, int first, int last) {
            events.append(QStringLiteral("remove %1-%2").arg(first).arg(last));
        });
        QObject::connect(model, &QAbstractItemModel::modelReset, model, [this] { events.append(QStringLiteral("reset")); });
        QObject::connect(model, &QAbstractItemModel::dataChanged, model,
                         [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                             events.append(QStringLiteral("change %1-%2 %3-%4")
                                               .arg(topLeft.row()).arg(bottomRight.row())
                                               .arg(topLeft.column()).arg(bottomRight.column()));
                         });
    }
    QStringList events;
};

} // namespace

class tst_ConnectionModel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void display_data();
    void display();
    void sortRole_data();
    void sortRole();
    void snapshotResetThenPages();
    void snapshotPageRepeatingAnIdReplaces();
    void applyBatch_data();
    void applyBatch();
    void reopenReplacesRecord();
    void updatesChangeCounters();
    void unchangedUpdateEmitsNothing();
    void massRemovalResetKeepsOpensAndUpdates();
    void lookups();
    void pickers();
    void clear();
    void resumeColumnFlagsBadReturns();
};

void tst_ConnectionModel::initTestCase()
{
    // A fixed zone without DST, so "local time" is checkable: UTC-5.
    qputenv("TZ", "EST5");
    tzset();
}

void tst_ConnectionModel::display_data()
{
    QTest::addColumn<ConnectionRecord>("record");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");

    const ConnectionRecord alice = makeRecord(QStringLiteral("17"), QStringLiteral("u1"), QStringLiteral("alice"),
                                              {QStringLiteral("Marketing"), QStringLiteral("Sales")});
    QTest::addRow("id") << alice << int(ConnectionModel::Id) << QStringLiteral("17");
    QTest::addRow("user shows name and id") << alice << int(ConnectionModel::User) << QStringLiteral("alice (u1)");
    QTest::addRow("user without name shows id")
        << makeRecord(QStringLiteral("1"), QStringLiteral("u9")) << int(ConnectionModel::User) << QStringLiteral("u9");
    QTest::addRow("anonymous user") << makeRecord(QStringLiteral("1")) << int(ConnectionModel::User)
                                    << QStringLiteral("anonymous");
    QTest::addRow("groups joined") << alice << int(ConnectionModel::Groups) << QStringLiteral("Marketing, Sales");
    QTest::addRow("no groups") << makeRecord(QStringLiteral("1")) << int(ConnectionModel::Groups) << QString();
    ConnectionRecord filtered = makeRecord(QStringLiteral("2"));
    filtered.filter = QStringList{QStringLiteral("news"), QStringLiteral("itempurchased")};
    QTest::addRow("event filter joined") << filtered << int(ConnectionModel::Filter)
                                         << QStringLiteral("news, itempurchased");
    QTest::addRow("connected at in local time")
        << alice << int(ConnectionModel::ConnectedAt) << QStringLiteral("2026-11-25 13:48:30");
    ConnectionRecord counters = makeRecord(QStringLiteral("3"));
    counters.eventsSent = 1234;
    counters.bytesSent = 412;
    counters.lastEventId = QStringLiteral("mwwh8g1s-3");
    QTest::addRow("events sent") << counters << int(ConnectionModel::EventsSent) << QStringLiteral("1234");
    QTest::addRow("bytes under a KiB") << counters << int(ConnectionModel::BytesSent) << QStringLiteral("412 B");
    counters.bytesSent = 1536;
    QTest::addRow("bytes in KiB") << counters << int(ConnectionModel::BytesSent) << QStringLiteral("1.5 KiB");
    counters.bytesSent = 3 * 1024 * 1024 + 300 * 1024;
    QTest::addRow("bytes in MiB") << counters << int(ConnectionModel::BytesSent) << QStringLiteral("3.3 MiB");
    QTest::addRow("last event id") << counters << int(ConnectionModel::LastEventId) << QStringLiteral("mwwh8g1s-3");
}

void tst_ConnectionModel::display()
{
    QFETCH(ConnectionRecord, record);
    QFETCH(int, column);
    QFETCH(QString, expected);

    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords({record});
    QCOMPARE(model.index(0, column).data().toString(), expected);
}

void tst_ConnectionModel::sortRole_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<QVariant>("smaller");
    QTest::addColumn<QVariant>("larger");

    // Raw values: as display strings each pair would sort the other way.
    QTest::addRow("ids as numbers") << int(ConnectionModel::Id) << QVariant(qlonglong(9)) << QVariant(qlonglong(10));
    QTest::addRow("events as numbers") << int(ConnectionModel::EventsSent) << QVariant(qint64(9)) << QVariant(qint64(10));
    QTest::addRow("bytes as numbers") << int(ConnectionModel::BytesSent) << QVariant(qint64(2000)) << QVariant(qint64(1000000));
    QTest::addRow("connected as times") << int(ConnectionModel::ConnectedAt)
                                        << QVariant(QDateTime(QDate(2026, 1, 2), QTime(9, 0), Qt::UTC))
                                        << QVariant(QDateTime(QDate(2026, 1, 2), QTime(10, 0), Qt::UTC));
}

void tst_ConnectionModel::sortRole()
{
    QFETCH(int, column);
    QFETCH(QVariant, smaller);
    QFETCH(QVariant, larger);

    QList<ConnectionRecord> records{makeRecord(QStringLiteral("9")), makeRecord(QStringLiteral("10"))};
    records[0].eventsSent = 9;
    records[1].eventsSent = 10;
    records[0].bytesSent = 2000;
    records[1].bytesSent = 1000000;
    records[0].connectedAt = QDateTime(QDate(2026, 1, 2), QTime(9, 0), Qt::UTC);
    records[1].connectedAt = QDateTime(QDate(2026, 1, 2), QTime(10, 0), Qt::UTC);
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(records);

    const QVariant first = model.index(0, column).data(ConnectionModel::SortRole);
    const QVariant second = model.index(1, column).data(ConnectionModel::SortRole);
    QCOMPARE(first, smaller);
    QCOMPARE(second, larger);
    QVERIFY(QVariant::compare(first, second) == QPartialOrdering::Less);
}

void tst_ConnectionModel::snapshotResetThenPages()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(100, 102))); // left from an earlier connection
    SignalLog log(&model);

    model.resetRecords(makeRecords(range(1, 500)));
    model.appendRecords(makeRecords(range(501, 1000)));
    model.appendRecords(makeRecords(range(1001, 1200)));

    QCOMPARE(log.events, (QStringList{QStringLiteral("reset"), QStringLiteral("insert 500-999"),
                                      QStringLiteral("insert 1000-1199")}));
    QCOMPARE(model.rowCount(), 1200);
    QCOMPARE(idsOf(model), range(1, 1200));
    QCOMPARE(model.rowOf(QStringLiteral("100")), 99);
    QCOMPARE(model.rowOf(QStringLiteral("1200")), 1199);
}

void tst_ConnectionModel::snapshotPageRepeatingAnIdReplaces()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 3)));
    SignalLog log(&model);

    QList<ConnectionRecord> page = makeRecords({QStringLiteral("4"), QStringLiteral("2"), QStringLiteral("5")});
    page[1].userId = QStringLiteral("u2");
    page.append(makeRecord(QStringLiteral("4"), QStringLiteral("u4"))); // repeated within the page
    model.appendRecords(page);

    QCOMPARE(log.events, (QStringList{QStringLiteral("insert 3-4"), QStringLiteral("change 1-1 0-12")}));
    QCOMPARE(idsOf(model), range(1, 5));
    QCOMPARE(model.record(1)->userId, QStringLiteral("u2"));
    QCOMPARE(model.record(3)->userId, QStringLiteral("u4"));
}

void tst_ConnectionModel::applyBatch_data()
{
    QTest::addColumn<QStringList>("initial");
    QTest::addColumn<QStringList>("opened");
    QTest::addColumn<QStringList>("closed");
    QTest::addColumn<QStringList>("updated");
    QTest::addColumn<QStringList>("expectedIds");
    QTest::addColumn<QStringList>("expectedSignals");

    const QStringList none;
    QTest::addRow("opens appended in one insert")
        << range(1, 3) << QStringList{"4", "5"} << none << none << range(1, 5) << QStringList{"insert 3-4"};
    QTest::addRow("close of an unknown id does nothing")
        << range(1, 3) << none << QStringList{"99"} << none << range(1, 3) << QStringList{};
    QTest::addRow("empty batch does nothing") << range(1, 3) << none << none << none << range(1, 3) << QStringList{};
    QTest::addRow("closes grouped into descending ranges")
        << range(1, 20) << none << QStringList{"3", "2", "7", "20"} << none
        << (QStringList{"1"} + range(4, 6) + range(8, 19))
        << QStringList{"remove 19-19", "remove 6-6", "remove 1-2"};
    QTest::addRow("close listed twice removes once")
        << range(1, 20) << none << QStringList{"5", "5"} << none << (range(1, 4) + range(6, 20))
        << QStringList{"remove 4-4"};
    QTest::addRow("contiguous mass removal is one range, no reset")
        << range(1, 8) << none << range(5, 8) << none << range(1, 4) << QStringList{"remove 4-7"};
    QTest::addRow("scattered mass removal resets")
        << range(1, 8) << none << QStringList{"1", "3", "5"} << none
        << QStringList{"2", "4", "6", "7", "8"} << QStringList{"reset"};
    QTest::addRow("closing everything is one range")
        << range(1, 8) << none << range(1, 8) << none << QStringList{} << QStringList{"remove 0-7"};
    QTest::addRow("opened and closed in one batch never appears")
        << range(1, 3) << QStringList{"9"} << QStringList{"9"} << none << range(1, 3) << QStringList{};
    QTest::addRow("updates coalesced into row ranges")
        << range(1, 10) << none << none << QStringList{"2", "3", "4", "7", "3"} << range(1, 10)
        << QStringList{"change 1-3 8-10", "change 6-6 8-10"};
    QTest::addRow("update of an unknown id does nothing")
        << range(1, 3) << none << none << QStringList{"42"} << range(1, 3) << QStringList{};
    QTest::addRow("update of a stream closed in the same batch does nothing")
        << range(1, 20) << none << QStringList{"4"} << QStringList{"4"} << (range(1, 3) + range(5, 20))
        << QStringList{"remove 3-3"};
    QTest::addRow("mixed batch: removals, then insert, then counters on shifted rows")
        << range(1, 20) << QStringList{"21"} << QStringList{"2"} << QStringList{"5", "21"}
        << (QStringList{"1"} + range(3, 21))
        << QStringList{"remove 1-1", "insert 19-19", "change 3-3 8-10", "change 19-19 8-10"};
}

void tst_ConnectionModel::applyBatch()
{
    QFETCH(QStringList, initial);
    QFETCH(QStringList, opened);
    QFETCH(QStringList, closed);
    QFETCH(QStringList, updated);
    QFETCH(QStringList, expectedIds);
    QFETCH(QStringList, expectedSignals);

    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(initial));
    SignalLog log(&model);

    QList<ConnectionUpdate> updates;
    for (const QString &id : updated)
        updates.append({id, id.toLongLong() * 10, id.toLongLong() * 100, QStringLiteral("e-") + id});
    model.applyBatch(makeRecords(opened), closed, updates);

    QCOMPARE(log.events, expectedSignals);
    QCOMPARE(idsOf(model), expectedIds);
    for (int row = 0; row < expectedIds.size(); ++row)
        QCOMPARE(model.rowOf(expectedIds.at(row)), row);
    for (const QString &id : closed)
        QCOMPARE(model.rowOf(id), -1);
    for (const QString &id : updated) {
        const int row = model.rowOf(id);
        if (row < 0)
            continue;
        QCOMPARE(model.record(row)->eventsSent, id.toLongLong() * 10);
        QCOMPARE(model.index(row, ConnectionModel::LastEventId).data().toString(), QStringLiteral("e-") + id);
    }
}

void tst_ConnectionModel::reopenReplacesRecord()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 3)));
    SignalLog log(&model);

    model.applyBatch({makeRecord(QStringLiteral("2"), QStringLiteral("u7"), QStringLiteral("greta"), {QStringLiteral("Ops")})},
                     {}, {});

    QCOMPARE(log.events, QStringList{QStringLiteral("change 1-1 0-12")});
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, ConnectionModel::User).data().toString(), QStringLiteral("greta (u7)"));
    QCOMPARE(model.index(1, 0).data(ConnectionModel::GroupsRole).toStringList(), QStringList{QStringLiteral("Ops")});
    QCOMPARE(model.index(1, 0).data(ConnectionModel::GroupIdsRole).toStringList(), QStringList{QStringLiteral("id-Ops")});
}

void tst_ConnectionModel::updatesChangeCounters()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 2)));
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    model.applyBatch({}, {}, {{QStringLiteral("2"), 4, 530, QStringLiteral("mwwh8g1s-4")}});

    QCOMPARE(spy.count(), 1);
    const QList<int> roles = spy.at(0).at(2).value<QList<int>>();
    QVERIFY(roles.contains(Qt::DisplayRole));
    QVERIFY(roles.contains(ConnectionModel::SortRole));
    QVERIFY(!roles.contains(ConnectionModel::GroupsRole));
    QCOMPARE(model.index(1, ConnectionModel::EventsSent).data().toString(), QStringLiteral("4"));
    QCOMPARE(model.index(1, ConnectionModel::BytesSent).data(ConnectionModel::SortRole), QVariant(qint64(530)));
    QCOMPARE(model.index(1, ConnectionModel::LastEventId).data().toString(), QStringLiteral("mwwh8g1s-4"));
    QCOMPARE(model.index(0, ConnectionModel::EventsSent).data().toString(), QStringLiteral("0"));
}

void tst_ConnectionModel::unchangedUpdateEmitsNothing()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<ConnectionRecord> records = makeRecords(range(1, 2));
    records[0].eventsSent = 3;
    records[0].bytesSent = 30;
    records[0].lastEventId = QStringLiteral("x-3");
    model.resetRecords(records);
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);

    model.applyBatch({}, {}, {{QStringLiteral("1"), 3, 30, QStringLiteral("x-3")}});

    QCOMPARE(spy.count(), 0);
}

void tst_ConnectionModel::massRemovalResetKeepsOpensAndUpdates()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 1000)));
    SignalLog log(&model);

    QStringList closed;
    for (int id = 1; id <= 1000; id += 2)
        closed.append(QString::number(id));
    model.applyBatch(makeRecords({QStringLiteral("1001"), QStringLiteral("2")}), closed,
                     {{QStringLiteral("4"), 7, 70, QStringLiteral("e-7")}});

    QCOMPARE(log.events, QStringList{QStringLiteral("reset")});
    QCOMPARE(model.rowCount(), 501);
    QCOMPARE(model.rowOf(QStringLiteral("2")), 0);
    QCOMPARE(model.rowOf(QStringLiteral("4")), 1);
    QCOMPARE(model.rowOf(QStringLiteral("1001")), 500);
    QCOMPARE(model.rowOf(QStringLiteral("1")), -1);
    QCOMPARE(model.record(1)->eventsSent, 7);
}

void tst_ConnectionModel::lookups()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 2)));

    QCOMPARE(model.record(-1), nullptr);
    QCOMPARE(model.record(2), nullptr);
    QCOMPARE(model.record(1)->id, QStringLiteral("2"));
    QCOMPARE(model.rowOf(QStringLiteral("nope")), -1);
    QCOMPARE(model.columnCount(), int(ConnectionModel::ColumnCount));
    QCOMPARE(model.headerData(ConnectionModel::EventsSent, Qt::Horizontal).toString(), QStringLiteral("Events"));
    QCOMPARE(model.index(0, ConnectionModel::EventsSent).data(Qt::TextAlignmentRole).toInt(),
             int(Qt::AlignRight | Qt::AlignVCenter));
    QVERIFY(model.roleNames().contains(ConnectionModel::GroupsRole));
}

void tst_ConnectionModel::pickers()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords({makeRecord(QStringLiteral("1"), QStringLiteral("u2"), QStringLiteral("bob"), {QStringLiteral("sales")}),
                        makeRecord(QStringLiteral("2"), QStringLiteral("u1"), QStringLiteral("Alice"),
                                   {QStringLiteral("Marketing"), QStringLiteral("sales")}),
                        makeRecord(QStringLiteral("3"), QStringLiteral("u1"), QStringLiteral("Alice")),
                        makeRecord(QStringLiteral("4"), QStringLiteral("u3")),
                        makeRecord(QStringLiteral("5"))});

    QCOMPARE(model.userNames(), (QStringList{QStringLiteral("Alice"), QStringLiteral("bob"), QStringLiteral("u3")}));
    QCOMPARE(model.groupNames(), (QStringList{QStringLiteral("Marketing"), QStringLiteral("sales")}));
    QCOMPARE(model.sessions().size(), 5);
    QCOMPARE(model.sessions().first(), QStringLiteral("session-1"));
}

void tst_ConnectionModel::clear()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetRecords(makeRecords(range(1, 5)));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.clear();

    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.rowOf(QStringLiteral("1")), -1);
}

void tst_ConnectionModel::resumeColumnFlagsBadReturns()
{
    ConnectionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ConnectionRecord first = makeRecord(QStringLiteral("1"));
    ConnectionRecord exact = makeRecord(QStringLiteral("2"));
    exact.resume = {QStringLiteral("e-4"), QStringLiteral("header"), QStringLiteral("exact"), 3};
    ConnectionRecord stale = makeRecord(QStringLiteral("3"));
    stale.resume = {QStringLiteral("old-9"), QStringLiteral("query"), QStringLiteral("too-old"), 12};
    model.resetRecords({first, exact, stale});
    const auto cell = [&model](const QString &id, int role = Qt::DisplayRole) {
        return model.index(model.rowOf(id), ConnectionModel::Resume).data(role);
    };
    QCOMPARE(cell(QStringLiteral("1")).toString(), QStringLiteral("none"));
    QCOMPARE(cell(QStringLiteral("1"), ConnectionModel::ResumeFlagRole).toBool(), false);
    QCOMPARE(cell(QStringLiteral("2")).toString(), QStringLiteral("exact from e-4, 3 replayed"));
    QCOMPARE(cell(QStringLiteral("2"), ConnectionModel::ResumeFlagRole).toBool(), false);
    QVERIFY(cell(QStringLiteral("2"), Qt::ToolTipRole).toString().contains(QStringLiteral("Last-Event-ID header")));
    QCOMPARE(cell(QStringLiteral("3")).toString(), QStringLiteral("too-old from old-9, 12 replayed"));
    QCOMPARE(cell(QStringLiteral("3"), ConnectionModel::ResumeFlagRole).toBool(), true);
    QVERIFY(cell(QStringLiteral("3"), Qt::ForegroundRole).isValid());
    QVERIFY(cell(QStringLiteral("3"), Qt::ToolTipRole).toString().contains(QStringLiteral("lastEventId query")));

    // Stream 1's session comes back without an id: a reconnect that forgot Last-Event-ID.
    ConnectionRecord again = makeRecord(QStringLiteral("4"));
    again.session = first.session;
    ConnectionRecord stranger = makeRecord(QStringLiteral("5"));
    model.applyBatch({}, {QStringLiteral("1")}, {});
    model.applyBatch({again, stranger}, {}, {});
    QCOMPARE(cell(QStringLiteral("4")).toString(), QStringLiteral("none (reconnect)"));
    QCOMPARE(cell(QStringLiteral("4"), ConnectionModel::ResumeFlagRole).toBool(), true);
    QVERIFY(cell(QStringLiteral("4"), Qt::ToolTipRole).toString().contains(QStringLiteral("without Last-Event-ID")));
    QCOMPARE(cell(QStringLiteral("5"), ConnectionModel::ResumeFlagRole).toBool(), false);
}

QTEST_GUILESS_MAIN(tst_ConnectionModel)
#include "tst_connectionmodel.moc"
