#include "event.h"
#include "eventsbatch.h"

#include <QJsonArray>
#include <QTest>

// events.batch and the event summaries in it (also the admin API's history entries).
class tst_EventsBatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryCutsLongData();
    void summaryOfATargetedEvent();
    void roundTrip();
    void notABatch();
};

void tst_EventsBatch::summaryCutsLongData()
{
    Event event;
    event.id = "abc-1";
    event.data = QByteArray(5000, 'x');
    event.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    const EventSummary summary = EventSummary::of(event);
    QCOMPARE(summary.data.size(), EventSummary::maxData);
    QCOMPARE(summary.size, 5000);
    QVERIFY(summary.name.isEmpty());
    QVERIFY(summary.target.isEmpty());
    QCOMPARE(summary.delivered, -1);
    const QJsonObject json = summary.toJson();
    QVERIFY(json.value(QStringLiteral("event")).isNull());
    QVERIFY(json.value(QStringLiteral("target")).isNull());
    QVERIFY(!json.contains(QStringLiteral("delivered")));
    QCOMPARE(json.value(QStringLiteral("time")).toString(), QStringLiteral("2023-11-14T22:13:20.123Z"));
}

void tst_EventsBatch::summaryOfATargetedEvent()
{
    Event event;
    event.id = "abc-2";
    event.name = "price";
    event.data = "{}";
    event.target.users = {QStringLiteral("u1")};
    const EventSummary summary = EventSummary::of(event, 3);
    QCOMPARE(summary.name, QStringLiteral("price"));
    QCOMPARE(summary.target.value(QStringLiteral("users")).toArray(), QJsonArray{QStringLiteral("u1")});
    QCOMPARE(summary.delivered, 3);
}

void tst_EventsBatch::roundTrip()
{
    Event event;
    event.id = "abc-3";
    event.name = "tick";
    event.data = "line one\nline two";
    event.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000456, Qt::UTC);
    event.target.groups = {QStringLiteral("staff")};
    EventsBatch batch;
    batch.events = {EventSummary::of(event, 12)};
    batch.dropped = 4;
    const std::optional<EventsBatch> read = EventsBatch::fromJson(batch.toJson());
    QVERIFY(read);
    QCOMPARE(read->dropped, 4);
    QCOMPARE(read->events.size(), 1);
    const EventSummary &summary = read->events.first();
    QCOMPARE(summary.id, QStringLiteral("abc-3"));
    QCOMPARE(summary.name, QStringLiteral("tick"));
    QCOMPARE(summary.data, QStringLiteral("line one\nline two"));
    QCOMPARE(summary.size, 17);
    QCOMPARE(summary.time, event.createdAt);
    QCOMPARE(summary.delivered, 12);
    QCOMPARE(summary.toJson(), batch.events.first().toJson());
}

void tst_EventsBatch::notABatch()
{
    QVERIFY(!EventsBatch::fromJson({{QStringLiteral("type"), QStringLiteral("stats")}}));
}

QTEST_GUILESS_MAIN(tst_EventsBatch)
#include "tst_eventsbatch.moc"
