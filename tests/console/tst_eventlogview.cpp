#include "eventlogview.h"

#include "controlclient.h"
#include "eventlogmodel.h"

#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;

// The Events tab's table offscreen: its columns open wide enough for what they show.
class tst_EventLogView final : public QObject
{
    Q_OBJECT

private slots:
    void columnsWideEnoughForContents_data();
    void columnsWideEnoughForContents();
};

void tst_EventLogView::columnsWideEnoughForContents_data()
{
    QTest::addColumn<int>("column");
    QTest::newRow("time (a date and time)") << int(EventLogModel::Time);
    QTest::newRow("id") << int(EventLogModel::Id);
}

void tst_EventLogView::columnsWideEnoughForContents()
{
    QFETCH(int, column);
    ControlClient client;
    EventLogModel model;
    QList<EventSummary> events;
    for (int i = 0; i < 20; ++i) {
        EventSummary event;
        event.id = u"mx9l7r0j-%1"_s.arg(100000 + i);
        event.name = u"orders"_s;
        event.data = u"{}"_s;
        event.time = QDateTime(QDate(2026, 12, 2), QTime(23, 58, 59));
        events.append(event);
    }
    model.addEvents(events);
    EventLogView view(&model, &client);
    view.resize(1000, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    auto *table = view.findChild<QTableView *>(u"eventTable"_s);
    QVERIFY(table);
    const int needed = static_cast<const QAbstractItemView *>(table)->sizeHintForColumn(column);
    QVERIFY2(table->columnWidth(column) >= needed,
             qPrintable(u"width %1 < needed %2 for %3"_s.arg(table->columnWidth(column)).arg(needed)
                            .arg(model.index(0, column).data().toString())));
}

QTEST_MAIN(tst_EventLogView)
#include "tst_eventlogview.moc"
