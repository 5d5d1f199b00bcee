#include "eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

namespace {

QJsonObject makeEvent(const QString &id)
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("event"), QStringLiteral("tick")},
            {QStringLiteral("data"), QStringLiteral("{}")},
            {QStringLiteral("size"), 2},
            {QStringLiteral("target"), QJsonValue()},
            {QStringLiteral("time"), QStringLiteral("2026-11-25T18:48:30.936Z")},
            {QStringLiteral("delivered"), 3}};
}

// Events numbered first..last, oldest first as in an "events.batch".
QList<EventSummary> batch(int first, int last)
{
    QList<EventSummary> out;
    for (int i = first; i <= last; ++i)
        out.append(EventSummary::fromJson(makeEvent(QString::number(i))));
    return out;
}

QStringList idsOf(const EventLogModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, EventLogModel::Id).data().toString());
    return out;
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class tst_EventLogModel final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void newestFirst();
    void capacity_data();
    void capacity();
    void display_data();
    void display();
    void rolesAndHeaders();
    void clear();
};

void tst_EventLogModel::initTestCase()
{
    qputenv("TZ", "EST5"); // UTC-5, no DST
    tzset();
}

void tst_EventLogModel::newestFirst()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    model.addEvents(batch(1, 3));
    model.addEvents(batch(4, 5));
    model.addEvents({});

    QCOMPARE(idsOf(model), (QStringList{"5", "4", "3", "2", "1"}));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 0);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1);
}

void tst_EventLogModel::capacity_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<QList<int>>("batchSizes");
    QTest::addColumn<QStringList>("expectedIds");
    QTest::addColumn<QStringList>("expectedRemovals");

    QTest::addRow("below capacity nothing is dropped")
        << 5 << QList<int>{2, 2} << QStringList{"4", "3", "2", "1"} << QStringList{};
    QTest::addRow("exactly full nothing is dropped")
        << 4 << QList<int>{2, 2} << QStringList{"4", "3", "2", "1"} << QStringList{};
    QTest::addRow("overflow drops the oldest at the end")
        << 3 << QList<int>{2, 2} << QStringList{"4", "3", "2"} << QStringList{"1-1"};
    QTest::addRow("a full log drops as many as arrive")
        << 3 << QList<int>{3, 2} << QStringList{"5", "4", "3"} << QStringList{"1-2"};
    QTest::addRow("a batch larger than the capacity keeps its newest")
        << 2 << QList<int>{1, 5} << QStringList{"6", "5"} << QStringList{"0-0"};
    QTest::addRow("capacity of one keeps the latest")
        << 1 << QList<int>{1, 1, 1} << QStringList{"3"} << QStringList{"0-0", "0-0"};
}

void tst_EventLogModel::capacity()
{
    QFETCH(int, capacity);
    QFETCH(QList<int>, batchSizes);
    QFETCH(QStringList, expectedIds);
    QFETCH(QStringList, expectedRemovals);

    EventLogModel model(capacity);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QStringList removals;
    connect(&model, &QAbstractItemModel::rowsRemoved, this, [&removals](const QModelIndex &, int first, int last) {
        removals.append(QStringLiteral("%1-%2").arg(first).arg(last));
    });

    int next = 1;
    for (const int size : batchSizes) {
        model.addEvents(batch(next, next + size - 1));
        next += size;
        QVERIFY(model.rowCount() <= capacity);
    }

    QCOMPARE(idsOf(model), expectedIds);
    QCOMPARE(removals, expectedRemovals);
}

void tst_EventLogModel::display_data()
{
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");

    const QByteArray base = R"({"id": "mwwh8g1s-3", "event": "itempurchased", "data": "{\"sku\": 42}", "size": 11,
                               "target": null, "time": "2026-11-25T18:48:30.936Z", "delivered": 180})";
    QTest::addRow("time in local time") << base << int(EventLogModel::Time) << QStringLiteral("2026-11-25 13:48:30");
    QTest::addRow("id") << base << int(EventLogModel::Id) << QStringLiteral("mwwh8g1s-3");
    QTest::addRow("event name") << base << int(EventLogModel::Event) << QStringLiteral("itempurchased");
    QTest::addRow("plain message") << QByteArray(R"({"id": "1", "event": null, "data": "hi", "size": 2})")
                                   << int(EventLogModel::Event) << QStringLiteral("message");
    QTest::addRow("broadcast target") << base << int(EventLogModel::Target) << QStringLiteral("everyone");
    QTest::addRow("missing target is a broadcast") << QByteArray(R"({"id": "1"})") << int(EventLogModel::Target)
                                                   << QStringLiteral("everyone");
    QTest::addRow("users and groups")
        << QByteArray(R"({"id": "1", "target": {"users": ["a", "b"], "groups": ["g"]}})") << int(EventLogModel::Target)
        << QStringLiteral("users: a, b; groups: g");
    QTest::addRow("sessions first")
        << QByteArray(R"({"id": "1", "target": {"groups": ["g"], "sessions": ["s1"]}})") << int(EventLogModel::Target)
        << QStringLiteral("sessions: s1; groups: g");
    QTest::addRow("numeric user ids") << QByteArray(R"({"id": "1", "target": {"users": [7, "u8"]}})")
                                      << int(EventLogModel::Target) << QStringLiteral("users: 7, u8");
    QTest::addRow("delivered count") << base << int(EventLogModel::Delivered) << QStringLiteral("180");
    QTest::addRow("no delivered count in history") << QByteArray(R"({"id": "1"})") << int(EventLogModel::Delivered)
                                                   << QString();
    QTest::addRow("data") << base << int(EventLogModel::Data) << QStringLiteral("{\"sku\": 42}");
    QTest::addRow("multi-line data on one line")
        << QByteArray(R"({"id": "1", "data": "line one\nline two", "size": 17})") << int(EventLogModel::Data)
        << QStringLiteral("line one line two");
    QTest::addRow("cut data marked") << QByteArray(R"({"id": "1", "data": "abc", "size": 5000})")
                                     << int(EventLogModel::Data) << QStringLiteral("abc\u2026");
}

void tst_EventLogModel::display()
{
    QFETCH(QByteArray, event);
    QFETCH(int, column);
    QFETCH(QString, expected);

    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addEvents({EventSummary::fromJson(parse(event))});

    QCOMPARE(model.index(0, column).data().toString(), expected);
}

void tst_EventLogModel::rolesAndHeaders()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QJsonObject event = makeEvent(QStringLiteral("9"));
    model.addEvents({EventSummary::fromJson(event)});

    QCOMPARE(model.columnCount(), int(EventLogModel::ColumnCount));
    QCOMPARE(model.index(0, EventLogModel::Id).data(EventLogModel::EventJsonRole).toJsonObject(), event);
    QCOMPARE(model.index(0, EventLogModel::Delivered).data(EventLogModel::SortRole), QVariant(qint64(3)));
    QCOMPARE(model.index(0, EventLogModel::Time).data(EventLogModel::SortRole).toDateTime(),
             QDateTime(QDate(2026, 11, 25), QTime(18, 48, 30, 936), Qt::UTC));
    QCOMPARE(model.headerData(EventLogModel::Delivered, Qt::Horizontal).toString(), QStringLiteral("Delivered"));
}

void tst_EventLogModel::clear()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addEvents(batch(1, 3));

    model.clear();

    QCOMPARE(model.rowCount(), 0);
    model.addEvents(batch(4, 4));
    QCOMPARE(idsOf(model), QStringList{QStringLiteral("4")});
}

QTEST_GUILESS_MAIN(tst_EventLogModel)
#include "tst_eventlogmodel.moc"
