#include "statstick.h"

#include <QTest>

// The control channel's stats tick, as the server writes it and the console reads it.
class tst_StatsTick : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
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
    const std::optional<StatsTick> read = StatsTick::fromJson(tick.toJson());
    QVERIFY(read);
    QCOMPARE(read->connections, tick.connections);
    QCOMPARE(read->eventsPerSecond, tick.eventsPerSecond);
    QCOMPARE(read->deliveriesPerSecond, tick.deliveriesPerSecond);
    QCOMPARE(read->bytesPerSecond, tick.bytesPerSecond);
    QCOMPARE(read->droppedSlowConsumers, tick.droppedSlowConsumers);
    QCOMPARE(read->eventsPublished, tick.eventsPublished);
    QCOMPARE(read->consoles, tick.consoles);
}

void tst_StatsTick::notATick()
{
    QVERIFY(!StatsTick::fromJson({{QStringLiteral("type"), QStringLiteral("events.batch")}}));
}

QTEST_GUILESS_MAIN(tst_StatsTick)
#include "tst_statstick.moc"
