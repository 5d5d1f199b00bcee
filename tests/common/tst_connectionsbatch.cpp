#include "connectionsbatch.h"

#include <QJsonArray>
#include <QTest>

// connections.batch as the server writes it and the console reads it.
class tst_ConnectionsBatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void emptyBatchStillHasEveryList();
    void notABatch();
    void unreadableRecordsAreLeftOut();
};

void tst_ConnectionsBatch::roundTrip()
{
    ConnectionRecord record;
    record.id = QStringLiteral("42");
    record.session = QStringLiteral("s1");
    record.userId = QStringLiteral("u1");
    record.protocol = QStringLiteral("h2");
    record.connectedAt = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    record.node = QStringLiteral("node-a");
    ConnectionUpdate update;
    update.id = QStringLiteral("7");
    update.eventsSent = 3;
    update.bytesSent = 300;
    update.lastEventId = QStringLiteral("abc-3");
    ConnectionsBatch batch;
    batch.opened = {record};
    batch.closed = {{QStringLiteral("9"), QStringLiteral("kicked")}};
    batch.updated = {update};

    const QJsonObject json = batch.toJson();
    QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("connections.batch"));
    const std::optional<ConnectionsBatch> read = ConnectionsBatch::fromJson(json);
    QVERIFY(read);
    QCOMPARE(read->opened.size(), 1);
    QVERIFY(read->opened.first() == record);
    QCOMPARE(read->closed.size(), 1);
    QCOMPARE(read->closed.first().id, QStringLiteral("9"));
    QCOMPARE(read->closed.first().reason, QStringLiteral("kicked"));
    QCOMPARE(read->updated.size(), 1);
    QCOMPARE(read->updated.first().eventsSent, 3);
    QCOMPARE(read->updated.first().lastEventId, QStringLiteral("abc-3"));
}

void tst_ConnectionsBatch::emptyBatchStillHasEveryList()
{
    const ConnectionsBatch batch;
    QVERIFY(batch.isEmpty());
    const QJsonObject json = batch.toJson();
    for (const char *list : {"opened", "closed", "updated"})
        QVERIFY(json.value(QLatin1String(list)).isArray());
}

void tst_ConnectionsBatch::notABatch()
{
    QVERIFY(!ConnectionsBatch::fromJson({{QStringLiteral("type"), QStringLiteral("connections.snapshot")}}));
}

void tst_ConnectionsBatch::unreadableRecordsAreLeftOut()
{
    const QJsonObject json{{QStringLiteral("type"), QStringLiteral("connections.batch")},
                           {QStringLiteral("opened"), QJsonArray{QStringLiteral("not a record"), QJsonObject{}}}};
    const std::optional<ConnectionsBatch> read = ConnectionsBatch::fromJson(json);
    QVERIFY(read);
    QVERIFY(read->opened.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ConnectionsBatch)
#include "tst_connectionsbatch.moc"
