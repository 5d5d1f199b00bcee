#include "connectionfilterproxy.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "connectionmodel.h"

namespace {

struct Spec
{
    const char *id;
    const char *userId;
    const char *userName;
    QStringList groups;
    QStringList groupIds;
    QStringList filter;
    const char *userAgent;
    qint64 eventsSent;
    int connectedMinute;
};

ConnectionRecord makeRecord(const Spec &spec)
{
    ConnectionRecord record;
    record.id = QString::fromLatin1(spec.id);
    record.session = QStringLiteral("s") + record.id;
    record.userId = QString::fromLatin1(spec.userId);
    record.userName = QString::fromLatin1(spec.userName);
    record.groups = spec.groups;
    record.groupIds = spec.groupIds;
    record.filter = spec.filter;
    record.userAgent = QString::fromLatin1(spec.userAgent);
    record.remoteAddress = QStringLiteral("10.0.0.") + record.id;
    record.eventsSent = spec.eventsSent;
    record.connectedAt = QDateTime(QDate(2026, 3, 1), QTime(7, spec.connectedMinute), Qt::UTC);
    return record;
}

// Five streams: two of alice's, bob's, carol's, and an anonymous one.
QList<ConnectionRecord> fixture()
{
    return {
        makeRecord({"9", "u1", "alice", {"Marketing"}, {"g1"}, {"itempurchased"}, "Firefox/133", 300, 5}),
        makeRecord({"10", "u2", "bob", {"Marketing", "Sales"}, {"g1", "g2"}, {}, "Chrome/119", 40, 1}),
        makeRecord({"11", "", "", {}, {}, {"news", "itempurchased"}, "curl/8.0", 5, 9}),
        makeRecord({"12", "u3", "Carol", {"Sales"}, {"g2"}, {"news"}, "Safari/17", 1000, 3}),
        makeRecord({"13", "u1", "alice", {}, {}, {}, "Firefox/133", 0, 7}),
    };
}

QStringList idsOf(const QAbstractItemModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.append(model.index(row, 0).data(ConnectionModel::RecordIdRole).toString());
    return out;
}

} // namespace

class tst_ConnectionFilterProxy final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void filter_data();
    void filter();
    void sort_data();
    void sort();
    void clearingCriteriaShowsAll();
    void filterFollowsBatches();
    void sortFollowsUpdates();

private:
    void attach(ConnectionModel &model, ConnectionFilterProxy &proxy);
};

void tst_ConnectionFilterProxy::initTestCase()
{
    // Displayed times must not contain the ids the text filter looks for.
    qputenv("TZ", "UTC");
    tzset();
}

void tst_ConnectionFilterProxy::attach(ConnectionModel &model, ConnectionFilterProxy &proxy)
{
    new QAbstractItemModelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest, &model);
    proxy.setSourceModel(&model);
    new QAbstractItemModelTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest, &proxy);
    model.resetRecords(fixture());
}

void tst_ConnectionFilterProxy::filter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("eventName");
    QTest::addColumn<QStringList>("expected");

    const QString any;
    const QStringList all{"9", "10", "11", "12", "13"};
    QTest::addRow("no criteria shows everything") << any << any << any << any << all;
    QTest::addRow("text matches the id column") << "12" << any << any << any << QStringList{"12"};
    QTest::addRow("text matches a user name ignoring case") << "ALICE" << any << any << any << QStringList{"9", "13"};
    QTest::addRow("text matches the user agent") << "curl" << any << any << any << QStringList{"11"};
    QTest::addRow("text matches the anonymous display") << "anonym" << any << any << any << QStringList{"11"};
    QTest::addRow("text matches a group column") << "sales" << any << any << any << QStringList{"10", "12"};
    QTest::addRow("text matches the event filter column") << "news" << any << any << any << QStringList{"11", "12"};
    QTest::addRow("text surrounded by spaces is trimmed") << "  curl " << any << any << any << QStringList{"11"};
    QTest::addRow("text matching nothing") << "zzz" << any << any << any << QStringList{};
    QTest::addRow("user by id") << any << "u1" << any << any << QStringList{"9", "13"};
    QTest::addRow("user by name ignoring case") << any << "carol" << any << any << QStringList{"12"};
    QTest::addRow("user is a whole id or name, not a part") << any << "ali" << any << any << QStringList{};
    QTest::addRow("unknown user") << any << "nobody" << any << any << QStringList{};
    QTest::addRow("group by name") << any << any << "Marketing" << any << QStringList{"9", "10"};
    QTest::addRow("group by id") << any << any << "g2" << any << QStringList{"10", "12"};
    QTest::addRow("group name ignoring case") << any << any << "sales" << any << QStringList{"10", "12"};
    QTest::addRow("event name in the stream's filter") << any << any << any << "itempurchased" << QStringList{"9", "11"};
    QTest::addRow("event names are case-sensitive") << any << any << any << "News" << QStringList{};
    QTest::addRow("streams without a filter do not match an event name")
        << any << any << any << "news" << QStringList{"11", "12"};
    QTest::addRow("user and group together") << any << "u1" << "Marketing" << any << QStringList{"9"};
    QTest::addRow("group and event name together") << any << any << "Sales" << "news" << QStringList{"12"};
    QTest::addRow("text and user together") << "Firefox" << "bob" << any << any << QStringList{};
}

void tst_ConnectionFilterProxy::filter()
{
    QFETCH(QString, text);
    QFETCH(QString, user);
    QFETCH(QString, group);
    QFETCH(QString, eventName);
    QFETCH(QStringList, expected);

    ConnectionModel model;
    ConnectionFilterProxy proxy;
    attach(model, proxy);

    proxy.setText(text);
    proxy.setUser(user);
    proxy.setGroup(group);
    proxy.setEventName(eventName);

    QCOMPARE(idsOf(proxy), expected);
}

void tst_ConnectionFilterProxy::sort_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("ids as numbers") << int(ConnectionModel::Id) << Qt::AscendingOrder
                                    << QStringList{"9", "10", "11", "12", "13"};
    QTest::addRow("ids descending") << int(ConnectionModel::Id) << Qt::DescendingOrder
                                    << QStringList{"13", "12", "11", "10", "9"};
    QTest::addRow("events as numbers, most first") << int(ConnectionModel::EventsSent) << Qt::DescendingOrder
                                                   << QStringList{"12", "9", "10", "11", "13"};
    QTest::addRow("connected time, oldest first") << int(ConnectionModel::ConnectedAt) << Qt::AscendingOrder
                                                  << QStringList{"10", "12", "9", "13", "11"};
    // "alice (u1)", "alice (u1)", "anonymous", "bob (u2)", "Carol (u3)"; ties keep source order.
    QTest::addRow("user ignoring case") << int(ConnectionModel::User) << Qt::AscendingOrder
                                        << QStringList{"9", "13", "11", "10", "12"};
}

void tst_ConnectionFilterProxy::sort()
{
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QStringList, expected);

    ConnectionModel model;
    ConnectionFilterProxy proxy;
    attach(model, proxy);

    proxy.sort(column, order);

    QCOMPARE(idsOf(proxy), expected);
}

void tst_ConnectionFilterProxy::clearingCriteriaShowsAll()
{
    ConnectionModel model;
    ConnectionFilterProxy proxy;
    attach(model, proxy);
    proxy.setUser(QStringLiteral("u1"));
    proxy.setEventName(QStringLiteral("itempurchased"));
    QCOMPARE(idsOf(proxy), QStringList{QStringLiteral("9")});

    proxy.setUser({});
    proxy.setEventName({});

    QCOMPARE(proxy.rowCount(), 5);
}

void tst_ConnectionFilterProxy::filterFollowsBatches()
{
    ConnectionModel model;
    ConnectionFilterProxy proxy;
    attach(model, proxy);
    proxy.setUser(QStringLiteral("alice"));
    QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);

    model.applyBatch({makeRecord({"14", "u1", "alice", {}, {}, {}, "x", 0, 0}),
                      makeRecord({"15", "u2", "bob", {}, {}, {}, "x", 0, 0})},
                     {QStringLiteral("9")}, {});

    QCOMPARE(inserted.count(), 1);
    QCOMPARE(idsOf(proxy), (QStringList{QStringLiteral("13"), QStringLiteral("14")}));
}

void tst_ConnectionFilterProxy::sortFollowsUpdates()
{
    ConnectionModel model;
    ConnectionFilterProxy proxy;
    attach(model, proxy);
    proxy.sort(ConnectionModel::EventsSent, Qt::DescendingOrder);

    model.applyBatch({}, {}, {{QStringLiteral("13"), 5000, 1, QStringLiteral("e")}});

    QCOMPARE(idsOf(proxy).first(), QStringLiteral("13"));
}

QTEST_GUILESS_MAIN(tst_ConnectionFilterProxy)
#include "tst_connectionfilterproxy.moc"
