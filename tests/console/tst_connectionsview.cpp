#include "connectionsview.h"

#include "connectionfilterproxy.h"
#include "connectionmodel.h"

#include <QAction>
#include <QComboBox>
#include <QHeaderView>
#include <QImage>
#include <QMenu>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTreeView>

#include <algorithm>
#include <random>

using namespace Qt::StringLiterals;

namespace {

ConnectionRecord record(int id, const QStringList &groups = {})
{
    ConnectionRecord record;
    record.id = QString::number(id);
    record.session = u"s-%1"_s.arg(id);
    record.userId = u"u%1"_s.arg(id % 50);
    record.groups = groups;
    record.userAgent = u"agent-%1"_s.arg(id % 7);
    record.remoteAddress = u"192.168.100.%1"_s.arg(id % 250);
    record.connectedAt = QDateTime(QDate(2026, 12, 2), QTime(23, 58, 59));
    record.lastEventId = u"1764633600-%1"_s.arg(100000 + id);
    record.resume.status = u"none"_s;
    return record;
}

QList<ConnectionRecord> records(int count, int firstId = 1)
{
    QList<ConnectionRecord> out;
    out.reserve(count);
    for (int i = 0; i < count; ++i)
        out.append(record(firstId + i));
    return out;
}

// Which way the arrow in the header section points: +1 up (narrow end on top), -1 down, 0 none.
int arrowDirection(QHeaderView *header, int section)
{
    const QImage image = header->grab().toImage();
    const int left = header->sectionViewportPosition(section);
    const int width = header->sectionSize(section);
    const QColor background = image.pixelColor(left + 2, 2);
    int firstRow = -1;
    int firstWidth = 0;
    int lastWidth = 0;
    // The arrow sits at the section's right end, clear of the title at its left.
    for (int y = 0; y < image.height(); ++y) {
        int dark = 0;
        for (int x = left + width / 2; x < left + width - 1; ++x) {
            if (image.pixelColor(x, y).lightness() < background.lightness() - 60)
                ++dark;
        }
        if (dark == 0 || dark > 20)
            continue;
        if (firstRow < 0) {
            firstRow = y;
            firstWidth = dark;
        }
        lastWidth = dark;
    }
    if (firstRow < 0 || firstWidth == lastWidth)
        return 0;
    return firstWidth < lastWidth ? +1 : -1;
}

QStringList shownIds(const QAbstractItemModel *model, int rows)
{
    QStringList ids;
    for (int row = 0; row < rows; ++row)
        ids.append(model->index(row, ConnectionModel::Id).data().toString());
    return ids;
}

} // namespace

// The Connections tab's table: the sort arrow agrees with the rows, columns open wide enough
// for what they show, the stream menu, the not-live state, and selection and scroll kept
// through live batches at 15,000 streams.
class tst_ConnectionsView final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void sortArrowAgreesWithRows();
    void columnsWideEnoughForContents_data();
    void columnsWideEnoughForContents();
    void streamMenuPausesEachGroup_data();
    void streamMenuPausesEachGroup();
    void notLiveGreysRowsAndBlocksMenus();
    void selectionAndScrollKeptAt15000Streams_data();
    void selectionAndScrollKeptAt15000Streams();

private:
    std::unique_ptr<ConnectionModel> m_model;
    std::unique_ptr<ConnectionsView> m_view;
};

void tst_ConnectionsView::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"esh-tests-connectionsview"_s);
}

void tst_ConnectionsView::init()
{
    QSettings().clear(); // the grouping is kept there
    m_model = std::make_unique<ConnectionModel>();
    m_view = std::make_unique<ConnectionsView>(m_model.get());
    m_view->resize(1100, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void tst_ConnectionsView::cleanup()
{
    m_view.reset();
    m_model.reset();
}

void tst_ConnectionsView::sortArrowAgreesWithRows()
{
    QList<ConnectionRecord> shuffled = records(30);
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(15));
    m_model->resetRecords(shuffled);
    QTableView *table = m_view->table();
    QHeaderView *header = table->horizontalHeader();
    QVERIFY(header->isSortIndicatorShown());
    QCOMPARE(header->sortIndicatorSection(), int(ConnectionModel::Id));

    // Opens in arrival order (ids ascending), the arrow pointing up.
    QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    QCOMPARE(shownIds(table->model(), 3), (QStringList{u"1"_s, u"2"_s, u"3"_s}));
    QCOMPARE(arrowDirection(header, ConnectionModel::Id), +1);

    // A click on the header: descending rows, the arrow pointing down.
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      QPoint(header->sectionViewportPosition(ConnectionModel::Id) + 10, header->height() / 2));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(shownIds(table->model(), 3), (QStringList{u"30"_s, u"29"_s, u"28"_s}));
    QCOMPARE(arrowDirection(header, ConnectionModel::Id), -1);
}

void tst_ConnectionsView::columnsWideEnoughForContents_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("grouping"); // 0 flat, 2 by group
    for (const int grouping : {0, 2}) {
        const char *view = grouping == 0 ? "table" : "tree";
        QTest::addRow("%s: connected at (a date and time)", view) << int(ConnectionModel::ConnectedAt) << grouping;
        if (grouping == 0)
            QTest::addRow("%s: id", view) << int(ConnectionModel::Id) << grouping;
        QTest::addRow("%s: remote address", view) << int(ConnectionModel::RemoteAddress) << grouping;
        QTest::addRow("%s: bytes sent", view) << int(ConnectionModel::BytesSent) << grouping;
        QTest::addRow("%s: last event id", view) << int(ConnectionModel::LastEventId) << grouping;
    }
}

void tst_ConnectionsView::columnsWideEnoughForContents()
{
    QFETCH(int, column);
    QFETCH(int, grouping);
    QList<ConnectionRecord> many = records(40, 100000);
    for (ConnectionRecord &stream : many) {
        stream.groups = QStringList{u"Marketing"_s};
        stream.bytesSent = 1000 * 1024 * 1024 + stream.id.toLongLong();
    }
    m_model->resetRecords(many);
    auto *combo = m_view->findChild<QComboBox *>(u"grouping"_s);
    combo->setCurrentIndex(grouping);
    QAbstractItemView *table = grouping == 0 ? static_cast<QAbstractItemView *>(m_view->table())
                                             : m_view->findChild<QTreeView *>(u"connectionsTree"_s);
    QTRY_VERIFY(table->model()->rowCount() > 0);
    const auto columnWidth = [&] {
        return grouping == 0 ? m_view->table()->columnWidth(column)
                             : static_cast<QTreeView *>(table)->columnWidth(column);
    };
    // What the delegate needs for the rows in view (public in the base class), against the
    // width the column opens with.
    const int needed = table->sizeHintForColumn(column);
    QVERIFY(needed > 0);
    QVERIFY2(columnWidth() >= needed,
             qPrintable(u"width %1 < needed %2 for %3"_s.arg(columnWidth())
                            .arg(needed)
                            .arg(m_model->index(0, column).data().toString())));
}

void tst_ConnectionsView::streamMenuPausesEachGroup_data()
{
    QTest::addColumn<QStringList>("groups");
    QTest::newRow("no group: no entry") << QStringList{};
    QTest::newRow("one group") << QStringList{u"Marketing"_s};
    QTest::newRow("two groups: one entry each") << QStringList{u"Marketing"_s, u"Support"_s};
}

void tst_ConnectionsView::streamMenuPausesEachGroup()
{
    QFETCH(QStringList, groups);
    m_model->resetRecords({record(7, groups)});
    const std::unique_ptr<QMenu> menu = m_view->contextMenu(m_model->index(0, 0));
    QVERIFY(menu);
    QStringList pauseGroups;
    for (const QAction *action : menu->actions()) {
        if (action->text().startsWith(u"Pause group "))
            pauseGroups.append(action->text());
    }
    QStringList expected;
    for (const QString &group : groups)
        expected.append(u"Pause group %1…"_s.arg(group));
    QCOMPARE(pauseGroups, expected);
    if (groups.isEmpty())
        return;
    QSignalSpy pause(m_view.get(), &ConnectionsView::pauseRequested);
    for (QAction *action : menu->actions()) {
        if (action->text() == expected.last())
            action->trigger();
    }
    QCOMPARE(pause.size(), 1);
    QCOMPARE(pause.first().at(0).value<TargetPicker::Kind>(), TargetPicker::Kind::Groups);
    QCOMPARE(pause.first().at(1).toStringList(), QStringList{groups.last()});
}

void tst_ConnectionsView::notLiveGreysRowsAndBlocksMenus()
{
    m_model->resetRecords(records(3));
    QTableView *table = m_view->table();
    QVERIFY(table->isEnabled());
    const QImage live = table->viewport()->grab().toImage();
    m_view->setLive(false);
    QVERIFY(!table->isEnabled());
    QCOMPARE(table->model()->rowCount(), 3); // kept, for the operator to see what was there
    // Disabled: the rows are painted in the disabled (grey) text colour, and a right click
    // opens no menu.
    QVERIFY(table->viewport()->grab().toImage() != live);
    QSignalSpy menus(table, &QWidget::customContextMenuRequested);
    QTest::mouseClick(table->viewport(), Qt::RightButton, {}, table->visualRect(table->model()->index(0, 0)).center());
    QCOMPARE(menus.size(), 0);
    m_view->setLive(true);
    QVERIFY(table->isEnabled());
}

void tst_ConnectionsView::selectionAndScrollKeptAt15000Streams_data()
{
    QTest::addColumn<bool>("closeAboveView");
    QTest::newRow("streams open, counters change, streams close below") << false;
    QTest::newRow("and streams close above the rows in view") << true;
}

void tst_ConnectionsView::selectionAndScrollKeptAt15000Streams()
{
    QFETCH(bool, closeAboveView);
    constexpr int streams = 15000;
    m_model->resetRecords(records(streams));
    QTableView *table = m_view->table();
    QCOMPARE(table->model()->rowCount(), streams);

    // The operator scrolls to the middle and selects a stream there.
    const QModelIndex chosen = table->model()->index(7000, ConnectionModel::Id);
    table->scrollTo(chosen, QAbstractItemView::PositionAtCenter);
    table->selectionModel()->setCurrentIndex(
        chosen, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const QString chosenId = chosen.data().toString();
    QScrollBar *bar = table->verticalScrollBar();
    const int scrolled = bar->value();
    QVERIFY(scrolled > 0);
    const QModelIndex topIndex = table->indexAt(QPoint(4, 4));
    const QString topId = topIndex.siblingAtColumn(ConnectionModel::Id).data().toString();

    // One control-channel batch: 200 opened, 100 closed, 2,000 counters updated.
    QList<ConnectionUpdate> updated;
    for (int id = 6000; id < 8000; ++id) {
        ConnectionUpdate update;
        update.id = QString::number(id);
        update.eventsSent = id % 13;
        update.bytesSent = 1000 + id;
        update.lastEventId = u"1764633600-999"_s;
        updated.append(update);
    }
    QStringList closed;
    for (int id = 0; id < 100; ++id)
        closed.append(QString::number(closeAboveView ? 100 + id : 12000 + id));
    m_model->applyBatch(records(200, streams + 1), closed, updated);
    QCOMPARE(table->model()->rowCount(), streams + 100);

    const QModelIndexList selected = table->selectionModel()->selectedRows(ConnectionModel::Id);
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().data().toString(), chosenId);
    QCOMPARE(table->selectionModel()->currentIndex().siblingAtColumn(ConnectionModel::Id).data().toString(), chosenId);
    // The same streams stay in view: closing rows above it does not move the content.
    QCOMPARE(table->indexAt(QPoint(4, 4)).siblingAtColumn(ConnectionModel::Id).data().toString(), topId);
    if (!closeAboveView)
        QCOMPARE(bar->value(), scrolled);
}

QTEST_MAIN(tst_ConnectionsView)
#include "tst_connectionsview.moc"
