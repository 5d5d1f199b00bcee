#include "statstick.h"

#include <QTest>

// The control channel's stats tick, as the server writes it and the console reads it.
class tst_StatsTick : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void optionalFigures();
    void notATick();
};

void tst_StatsTick::roundTrip()
{
    StatsTick tick;
    tick.connections = 15000;
    tick.eventsPerSecond = 2.5;
    tick.deliveriesPerSecond = 37500;
    tick.bytesPerSecond = 1.5e6;
    tick.droppedSlowConsumers = 3;
    tick.eventsPublished = 1234567890123;
    tick.consoles = 2;
    tick.limitsHit = 17;
    tick.historySize = 0;
    const std::optional<StatsTick> read = StatsTick::fromJson(tick.toJson());
    QVERIFY(read);
    QCOMPARE(read->connections, tick.connections);
    QCOMPARE(read->eventsPerSecond, tick.eventsPerSecond);
    QCOMPARE(read->deliveriesPerSecond, tick.deliveriesPerSecond);
    QCOMPARE(read->bytesPerSecond, tick.bytesPerSecond);
    QCOMPARE(read->droppedSlowConsumers, tick.droppedSlowConsumers);
    QCOMPARE(read->eventsPublished, tick.eventsPublished);
    QCOMPARE(read->consoles, tick.consoles);
    QCOMPARE(read->limitsHit, std::optional<qint64>(17));
    QCOMPARE(read->historySize, std::optional<qint64>(0));
}

// A tick without them (an older server) says unknown, not 0; a wrong type is unknown too.
void tst_StatsTick::optionalFigures()
{
    QJsonObject json = StatsTick().toJson();
    QVERIFY(!json.contains(QStringLiteral("limitsHit")));
    QVERIFY(!json.contains(QStringLiteral("historySize")));
    std::optional<StatsTick> read = StatsTick::fromJson(json);
    QVERIFY(read);
    QVERIFY(!read->limitsHit);
    QVERIFY(!read->historySize);
    json.insert(QStringLiteral("limitsHit"), QStringLiteral("many"));
    read = StatsTick::fromJson(json);
    QVERIFY(read && !read->limitsHit);
}

void tst_StatsTick::notATick()
{
    QVERIFY(!StatsTick::fromJson({{QStringLiteral("type"), QStringLiteral("events.batch")}}));
}

QTEST_GUILESS_MAIN(tst_StatsTick)
#include "tst_statstick.moc"
