#include "connectiontreemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "connectionfilterproxy.h"
#include "connectionmodel.h"

namespace {

// "id:userId:userName:group,group[:node]" — empty fields for anonymous streams and no groups.
ConnectionRecord makeRecord(const QString &spec)
{
    const QStringList fields = spec.split(QLatin1Char(':'));
    ConnectionRecord record;
    record.id = fields.value(0);
    record.session = QStringLiteral("s") + record.id;
    record.userId = fields.value(1);
    record.userName = fields.value(2);
    record.groups = fields.value(3).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &group : std::as_const(record.groups))
        record.groupIds.append(QStringLiteral("id-") + group);
    record.connectedAt = QDateTime(QDate(2026, 3, 1), QTime(7, 0), Qt::UTC);
    record.eventsSent = record.id.toLongLong() * 10;
    record.node = fields.value(4);
    return record;
}

QList<ConnectionRecord> makeRecords(const QStringList &specs)
{
    QList<ConnectionRecord> out;
    for (const QString &spec : specs)
        out.append(makeRecord(spec));
    return out;
}

// Column 0 of the whole tree, two spaces of indent per level.
QStringList render(const QAbstractItemModel &model, const QModelIndex &parent = {}, int depth = 0)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        out.append(QString(depth * 2, QLatin1Char(' ')) + index.data().toString());
        out += render(model, index, depth + 1);
    }
    return out;
}

QModelIndex find(const QAbstractItemModel &model, const QString &kind, const QString &key, const QModelIndex &parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data(ConnectionTreeModel::KindRole).toString() == kind
            && index.data(ConnectionTreeModel::KeyRole).toString() == key)
            return index;
        if (const QModelIndex found = find(model, kind, key, index); found.isValid())
            return found;
    }
    return {};
}

void addTester(QAbstractItemModel *model)
{
    new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest, model);
}

} // namespace

class tst_ConnectionTreeModel final : public QObject
{
    Q_OBJECT

private slots:
    void grouping_data();
    void grouping();
    void rolesAndColumns();
    void rebuildIsDebounced();
    void counterUpdatesRepaintWithoutReset();
    void streamRowsFollowSourceRowsBeforeRebuild();
    void sitsOnTheFilterProxy();
    void setGroupingRebuildsAtOnce();
    void sourceDestroyed();
};

void tst_ConnectionTreeModel::grouping_data()
{
    QTest::addColumn<ConnectionTreeModel::Grouping>("grouping");
    QTest::addColumn<QStringList>("records");
    QTest::addColumn<QStringList>("expected");

    const auto byUser = ConnectionTreeModel::Grouping::ByUser;
    const auto byGroup = ConnectionTreeModel::Grouping::ByGroup;
    QTest::addRow("by user: users by name, anonymous last, streams in source order")
        << byUser << QStringList{"1:u2:bob:", "2:::", "3:u1:alice:", "4:u2:bob:", "5:u1:alice:"}
        << QStringList{"alice (u1) (2)", "  3", "  5", "bob (u2) (2)", "  1", "  4", "Anonymous (1)", "  2"};
    QTest::addRow("by user: a user without a name shows the id")
        << byUser << QStringList{"1:u7::"} << QStringList{"u7 (1)", "  1"};
    QTest::addRow("by user: only anonymous streams")
        << byUser << QStringList{"1:::", "2:::Ops"} << QStringList{"Anonymous (2)", "  1", "  2"};
    QTest::addRow("by user: groups do not matter")
        << byUser << QStringList{"1:u1:alice:Marketing", "2:u1:alice:Sales"}
        << QStringList{"alice (u1) (2)", "  1", "  2"};
    QTest::addRow("by group: group, user, stream with counts; a stream under each of its groups")
        << byGroup << QStringList{"1:u1:alice:Marketing", "2:u2:bob:Marketing,Sales", "3:u1:alice:Marketing", "4:::Sales"}
        << QStringList{"Marketing (3)", "  alice (u1) (2)", "    1", "    3", "  bob (u2) (1)", "    2",
                       "Sales (2)", "  bob (u2) (1)", "    2", "  Anonymous (1)", "    4"};
    QTest::addRow("by group: streams without a group under No group, last")
        << byGroup << QStringList{"1:u1:alice:", "2:::", "3:u2:bob:Ops"}
        << QStringList{"Ops (1)", "  bob (u2) (1)", "    3",
                       "No group (2)", "  alice (u1) (1)", "    1", "  Anonymous (1)", "    2"};
    QTest::addRow("by group: groups sorted ignoring case")
        << byGroup << QStringList{"1:::sales", "2:::Marketing", "3:::ops"}
        << QStringList{"Marketing (1)", "  Anonymous (1)", "    2", "ops (1)", "  Anonymous (1)", "    3",
                       "sales (1)", "  Anonymous (1)", "    1"};
    QTest::addRow("by group: a group listed twice counts the stream once")
        << byGroup << QStringList{"1:u1:alice:Ops,Ops"} << QStringList{"Ops (1)", "  alice (u1) (1)", "    1"};
    const auto byNode = ConnectionTreeModel::Grouping::ByNode;
    QTest::addRow("by node: node, user, stream with counts, nodes sorted")
        << byNode << QStringList{"1:u1:alice::node2", "2:::Ops:node1", "3:u1:alice::node1", "4:u2:bob::node2"}
        << QStringList{"node1 (2)", "  alice (u1) (1)", "    3", "  Anonymous (1)", "    2",
                       "node2 (2)", "  alice (u1) (1)", "    1", "  bob (u2) (1)", "    4"};
    QTest::addRow("by node: a standalone server's streams have no node")
        << byNode << QStringList{"1:u1:alice:"} << QStringList{"This server (1)", "  alice (u1) (1)", "    1"};
    QTest::addRow("by user: no streams, no rows") << byUser << QStringList{} << QStringList{};
    QTest::addRow("by group: no streams, no rows") << byGroup << QStringList{} << QStringList{};
}

void tst_ConnectionTreeModel::grouping()
{
    QFETCH(ConnectionTreeModel::Grouping, grouping);
    QFETCH(QStringList, records);
    QFETCH(QStringList, expected);

    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords(records));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setGrouping(grouping);
    tree.setSourceModel(&model);

    QCOMPARE(render(tree), expected);
}

void tst_ConnectionTreeModel::rolesAndColumns()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:Marketing", "2:::"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setGrouping(ConnectionTreeModel::Grouping::ByGroup);
    tree.setSourceModel(&model);

    QCOMPARE(tree.columnCount(), int(ConnectionModel::ColumnCount));
    const QModelIndex group = tree.index(0, 0);
    QCOMPARE(group.data(ConnectionTreeModel::KindRole).toString(), QStringLiteral("group"));
    QCOMPARE(group.data(ConnectionTreeModel::KeyRole).toString(), QStringLiteral("Marketing"));
    QCOMPARE(group.data(ConnectionTreeModel::CountRole).toInt(), 1);
    QVERIFY(!tree.index(0, ConnectionModel::EventsSent).data().isValid());
    const QModelIndex user = tree.index(0, 0, group);
    QCOMPARE(user.data(ConnectionTreeModel::KindRole).toString(), QStringLiteral("user"));
    QCOMPARE(user.data(ConnectionTreeModel::KeyRole).toString(), QStringLiteral("u1"));
    const QModelIndex stream = tree.index(0, 0, user);
    QCOMPARE(stream.data(ConnectionTreeModel::KindRole).toString(), QStringLiteral("stream"));
    QCOMPARE(stream.data(ConnectionTreeModel::KeyRole).toString(), QStringLiteral("1"));
    QCOMPARE(stream.siblingAtColumn(ConnectionModel::User).data().toString(), QStringLiteral("alice (u1)"));
    QCOMPARE(stream.siblingAtColumn(ConnectionModel::EventsSent).data().toString(), QStringLiteral("10"));
    QCOMPARE(stream.data(ConnectionModel::GroupIdsRole).toStringList(), QStringList{QStringLiteral("id-Marketing")});

    const QModelIndex noGroup = find(tree, QStringLiteral("group"), QString());
    QVERIFY(noGroup.isValid());
    QCOMPARE(noGroup.data().toString(), QStringLiteral("No group (1)"));
    const QModelIndex anonymous = tree.index(0, 0, noGroup);
    QCOMPARE(anonymous.data(ConnectionTreeModel::KeyRole).toString(), QString());
    QCOMPARE(anonymous.data(ConnectionTreeModel::CountRole).toInt(), 1);
    QCOMPARE(tree.headerData(ConnectionModel::EventsSent, Qt::Horizontal).toString(), QStringLiteral("Events"));
}

void tst_ConnectionTreeModel::rebuildIsDebounced()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setSourceModel(&model);
    QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);

    model.applyBatch(makeRecords({"2:u2:bob:"}), {}, {});
    model.applyBatch(makeRecords({"3:u1:alice:"}), {QStringLiteral("1")}, {});
    model.applyBatch(makeRecords({"4:::"}), {}, {});

    QCOMPARE(resets.count(), 0);
    QCOMPARE(render(tree), (QStringList{"alice (u1) (1)", "  1"}));
    QTRY_COMPARE(resets.count(), 1);
    QCOMPARE(render(tree), (QStringList{"alice (u1) (1)", "  3", "bob (u2) (1)", "  2", "Anonymous (1)", "  4"}));
}

void tst_ConnectionTreeModel::counterUpdatesRepaintWithoutReset()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:", "2:u2:bob:"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setSourceModel(&model);
    QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);
    QSignalSpy changes(&tree, &QAbstractItemModel::dataChanged);
    const QModelIndex bobStream = find(tree, QStringLiteral("stream"), QStringLiteral("2"));

    model.applyBatch({}, {}, {{QStringLiteral("2"), 77, 700, QStringLiteral("e-77")}});

    QCOMPARE(bobStream.siblingAtColumn(ConnectionModel::EventsSent).data().toString(), QStringLiteral("77"));
    QTRY_VERIFY(changes.count() > 0);
    QCOMPARE(resets.count(), 0);
}

void tst_ConnectionTreeModel::streamRowsFollowSourceRowsBeforeRebuild()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:", "2:u1:alice:", "3:u1:alice:"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setSourceModel(&model);
    const QModelIndex user = tree.index(0, 0);

    model.applyBatch({}, {QStringLiteral("1")}, {}); // every later source row moves up one

    QCOMPARE(tree.rowCount(user), 3); // not rebuilt yet
    QCOMPARE(tree.index(1, ConnectionModel::Id, user).data().toString(), QStringLiteral("2"));
    QCOMPARE(tree.index(1, ConnectionModel::EventsSent, user).data().toString(), QStringLiteral("20"));
    QCOMPARE(tree.index(2, ConnectionModel::EventsSent, user).data().toString(), QStringLiteral("30"));
    // The closed stream keeps its id and nothing else until the rebuild drops it.
    QCOMPARE(tree.index(0, ConnectionModel::Id, user).data().toString(), QStringLiteral("1"));
    QVERIFY(!tree.index(0, ConnectionModel::User, user).data().isValid());
    QTRY_COMPARE(tree.rowCount(tree.index(0, 0)), 2);
}

void tst_ConnectionTreeModel::sitsOnTheFilterProxy()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:Ops", "2:u2:bob:Ops", "3:u1:alice:", "4:u2:bob:Ops"}));
    ConnectionFilterProxy proxy;
    proxy.setSourceModel(&model);
    addTester(&proxy);
    proxy.setUser(QStringLiteral("alice"));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setGrouping(ConnectionTreeModel::Grouping::ByGroup);
    tree.setSourceModel(&proxy);
    QCOMPARE(render(tree), (QStringList{"Ops (1)", "  alice (u1) (1)", "    1",
                                        "No group (1)", "  alice (u1) (1)", "    3"}));
    QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);

    proxy.setUser(QStringLiteral("u2"));
    proxy.sort(ConnectionModel::Id, Qt::DescendingOrder);

    QTRY_COMPARE(resets.count(), 1);
    QCOMPARE(render(tree), (QStringList{"Ops (2)", "  bob (u2) (2)", "    4", "    2"}));
    const QModelIndex stream = find(tree, QStringLiteral("stream"), QStringLiteral("4"));
    QCOMPARE(stream.siblingAtColumn(ConnectionModel::EventsSent).data().toString(), QStringLiteral("40"));
}

void tst_ConnectionTreeModel::setGroupingRebuildsAtOnce()
{
    ConnectionModel model;
    addTester(&model);
    model.resetRecords(makeRecords({"1:u1:alice:Ops"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setSourceModel(&model);
    QCOMPARE(tree.grouping(), ConnectionTreeModel::Grouping::ByUser);
    QSignalSpy resets(&tree, &QAbstractItemModel::modelReset);

    tree.setGrouping(ConnectionTreeModel::Grouping::ByGroup);
    tree.setGrouping(ConnectionTreeModel::Grouping::ByGroup);

    QCOMPARE(resets.count(), 1);
    QCOMPARE(render(tree), (QStringList{"Ops (1)", "  alice (u1) (1)", "    1"}));
    QCOMPARE(tree.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Group / user / stream"));
}

void tst_ConnectionTreeModel::sourceDestroyed()
{
    auto *model = new ConnectionModel;
    model->resetRecords(makeRecords({"1:u1:alice:"}));
    ConnectionTreeModel tree;
    addTester(&tree);
    tree.setSourceModel(model);
    QCOMPARE(tree.rowCount(), 1);

    delete model;

    QCOMPARE(tree.rowCount(), 0);
    QCOMPARE(tree.columnCount(), 1);
}

QTEST_GUILESS_MAIN(tst_ConnectionTreeModel)
#include "tst_connectiontreemodel.moc"
