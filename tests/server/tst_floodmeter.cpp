// The token bucket that closes HTTP/2 connections flooding PING, SETTINGS or RST_STREAM.
#include "floodmeter.h"

#include <QTest>

class TestFloodMeter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenRefused();
    void refillsAtTheRate();
    void refillStopsAtTheBurst();
    void clockGoingBackGivesNothing();
};

void TestFloodMeter::burstThenRefused()
{
    FloodMeter meter({5, 10});
    for (int i = 0; i < 5; ++i)
        QVERIFY(meter.admit(1000));
    QVERIFY(!meter.admit(1000));
    QVERIFY(!meter.admit(1000));
}

// 10 a second: one frame every 100 ms, and none before.
void TestFloodMeter::refillsAtTheRate()
{
    FloodMeter meter({1, 10});
    QVERIFY(meter.admit(0));
    QVERIFY(!meter.admit(99));
    QVERIFY(meter.admit(100));
    QVERIFY(!meter.admit(150));
    QVERIFY(meter.admit(200));
}

// A long quiet spell buys the burst back, not more.
void TestFloodMeter::refillStopsAtTheBurst()
{
    FloodMeter meter({3, 1000});
    for (int i = 0; i < 3; ++i)
        QVERIFY(meter.admit(0));
    int admitted = 0;
    while (meter.admit(3'600'000))
        ++admitted;
    QCOMPARE(admitted, 3);
}

void TestFloodMeter::clockGoingBackGivesNothing()
{
    FloodMeter meter({1, 10});
    QVERIFY(meter.admit(5000));
    QVERIFY(!meter.admit(0));
    QVERIFY(!meter.admit(5050));
    QVERIFY(meter.admit(5100));
}

QTEST_APPLESS_MAIN(TestFloodMeter)
#include "tst_floodmeter.moc"
