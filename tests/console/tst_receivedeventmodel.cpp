#include "receivedeventmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(SseMessage)

// The bounded table of received events, under QAbstractItemModelTester.
class tst_ReceivedEventModel final : public QObject
{
    Q_OBJECT

private slots:
    void showsColumns_data();
    void showsColumns();
    void keepsNewestAtTheBottom();
    void dropsOldestBeyondCapacity();
    void clears();
};

namespace {
SseMessage message(const QString &id, const QString &type = QStringLiteral("message"), const QString &data = {})
{
    return {type, data.isEmpty() ? QStringLiteral("data of ") + id : data, id};
}
} // namespace

void tst_ReceivedEventModel::showsColumns_data()
{
    QTest::addColumn<SseMessage>("message");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QString>("raw");

    const SseMessage multiLine{QStringLiteral("a"), QStringLiteral("one\ntwo"), QStringLiteral("e-1")};
    QTest::newRow("time") << multiLine << int(ReceivedEventModel::Time) << QStringLiteral("12:34:56.789")
                          << QStringLiteral("2024-05-06T12:34:56.789");
    QTest::newRow("id") << multiLine << int(ReceivedEventModel::Id) << QStringLiteral("e-1") << QStringLiteral("e-1");
    QTest::newRow("type") << multiLine << int(ReceivedEventModel::Type) << QStringLiteral("a") << QStringLiteral("a");
    QTest::newRow("data lines on one line") << multiLine << int(ReceivedEventModel::Data)
                                            << QStringLiteral("one \u23CE two") << QStringLiteral("one\ntwo");
    QTest::newRow("empty id") << SseMessage{QStringLiteral("message"), QStringLiteral("x"), QString()}
                              << int(ReceivedEventModel::Id) << QString() << QString();
}

void tst_ReceivedEventModel::showsColumns()
{
    QFETCH(SseMessage, message);
    QFETCH(int, column);
    QFETCH(QString, display);
    QFETCH(QString, raw);

    ReceivedEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QDateTime at = QDateTime::fromString(QStringLiteral("2024-05-06T12:34:56.789"), Qt::ISODateWithMs);
    model.addEvent(message, at);
    QCOMPARE(model.columnCount(), int(ReceivedEventModel::ColumnCount));
    const QModelIndex index = model.index(0, column);
    QCOMPARE(index.data().toString(), display);
    const QVariant sortValue = index.data(ReceivedEventModel::SortRole);
    QCOMPARE(column == ReceivedEventModel::Time ? sortValue.toDateTime().toString(Qt::ISODateWithMs)
                                                : sortValue.toString(),
             raw);
    QVERIFY(!model.headerData(column, Qt::Horizontal).toString().isEmpty());
}

void tst_ReceivedEventModel::keepsNewestAtTheBottom()
{
    ReceivedEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 3; ++i)
        model.addEvent(message(QString::number(i)));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(inserted.last().at(1).toInt(), 2);
    QCOMPARE(model.index(2, ReceivedEventModel::Id).data().toString(), QStringLiteral("2"));
    QCOMPARE(model.capacity(), 5000);
}

void tst_ReceivedEventModel::dropsOldestBeyondCapacity()
{
    ReceivedEventModel model(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 5; ++i)
        model.addEvent(message(QString::number(i)));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(removed.size(), 2);
    QStringList ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.append(model.message(row).lastEventId);
    QCOMPARE(ids, (QStringList{QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4")}));
    QCOMPARE(model.message(3), SseMessage());
}

void tst_ReceivedEventModel::clears()
{
    ReceivedEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addEvent(message(QStringLiteral("1")));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    model.addEvent(message(QStringLiteral("2")));
    QCOMPARE(model.rowCount(), 1);
}

QTEST_GUILESS_MAIN(tst_ReceivedEventModel)
#include "tst_receivedeventmodel.moc"
