#include "failurethrottle.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

FailureThrottle::Options options(int perMinute, int burst, int maxKeys = 100000)
{
    FailureThrottle::Options o;
    o.perMinute = perMinute;
    o.burst = burst;
    o.maxKeys = maxKeys;
    return o;
}

} // namespace

// Time is simulated: every call takes nowMs from the test, nothing reads a clock.
class tst_FailureThrottle final : public QObject
{
    Q_OBJECT

private slots:
    void burstThenWait_data();
    void burstThenWait();
    void refillsOverTime_data();
    void refillsOverTime();
    void refillNeverExceedsBurst();
    void zeroPerMinuteDisables();
    void keysAreIndependent();
    void maxKeysBound_data();
    void maxKeysBound();
    void forgetsTheKeyThatFailedFirst();
    void refundGivesBackOneAttempt();
};

void tst_FailureThrottle::burstThenWait_data()
{
    QTest::addColumn<int>("perMinute");
    QTest::addColumn<int>("burst");
    QTest::addColumn<int>("retryAfter"); // seconds, once the burst is spent

    QTest::addRow("10/min, burst 10") << 10 << 10 << 6;
    QTest::addRow("3/min, burst 3") << 3 << 3 << 20;
    QTest::addRow("60/min, burst 2") << 60 << 2 << 1;
    QTest::addRow("1/min, burst 1") << 1 << 1 << 60;
    QTest::addRow("burst 0 counts as 1") << 6 << 0 << 10;
}

void tst_FailureThrottle::burstThenWait()
{
    QFETCH(int, perMinute);
    QFETCH(int, burst);
    QFETCH(int, retryAfter);

    FailureThrottle throttle(options(perMinute, burst));
    QVERIFY(throttle.isEnabled());
    const qint64 now = 1'000'000;
    QCOMPARE(throttle.retryAfterSeconds(u"10.0.0.1"_s, now), 0);
    const int allowed = qMax(1, burst);
    for (int i = 0; i < allowed; ++i) {
        QCOMPARE(throttle.retryAfterSeconds(u"10.0.0.1"_s, now), 0);
        throttle.recordFailure(u"10.0.0.1"_s, now);
    }
    QCOMPARE(throttle.retryAfterSeconds(u"10.0.0.1"_s, now), retryAfter);
    // Failing on while throttled keeps it throttled (the bucket does not go below empty).
    throttle.recordFailure(u"10.0.0.1"_s, now);
    QCOMPARE(throttle.retryAfterSeconds(u"10.0.0.1"_s, now), retryAfter);
}

void tst_FailureThrottle::refillsOverTime_data()
{
    QTest::addColumn<qint64>("elapsedMs"); // after the burst of 3 was spent, at 6 a minute
    QTest::addColumn<int>("retryAfter");

    QTest::addRow("at once") << qint64(0) << 10;
    QTest::addRow("1 s later") << qint64(1000) << 9;
    QTest::addRow("5 s later") << qint64(5000) << 5;
    QTest::addRow("9.9 s later") << qint64(9900) << 1;
    QTest::addRow("10 s later: one token back") << qint64(10000) << 0;
    QTest::addRow("an hour later") << qint64(3600 * 1000) << 0;
}

void tst_FailureThrottle::refillsOverTime()
{
    QFETCH(qint64, elapsedMs);
    QFETCH(int, retryAfter);

    FailureThrottle throttle(options(6, 3));
    const qint64 start = 500;
    for (int i = 0; i < 3; ++i)
        throttle.recordFailure(u"k"_s, start);
    QCOMPARE(throttle.retryAfterSeconds(u"k"_s, start + elapsedMs), retryAfter);
}

void tst_FailureThrottle::refillNeverExceedsBurst()
{
    FailureThrottle throttle(options(6, 3));
    throttle.recordFailure(u"k"_s, 0);
    // A day later the bucket holds the burst again, not a day's worth of tokens.
    const qint64 later = 24 * 3600 * 1000;
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(throttle.retryAfterSeconds(u"k"_s, later), 0);
        throttle.recordFailure(u"k"_s, later);
    }
    QCOMPARE(throttle.retryAfterSeconds(u"k"_s, later), 10);
}

void tst_FailureThrottle::zeroPerMinuteDisables()
{
    FailureThrottle throttle(options(0, 3));
    QVERIFY(!throttle.isEnabled());
    for (int i = 0; i < 1000; ++i)
        throttle.recordFailure(u"k"_s, i);
    QCOMPARE(throttle.retryAfterSeconds(u"k"_s, 1000), 0);
    QCOMPARE(throttle.size(), 0);
}

void tst_FailureThrottle::keysAreIndependent()
{
    FailureThrottle throttle(options(6, 2));
    throttle.recordFailure(u"alice"_s, 0);
    throttle.recordFailure(u"alice"_s, 0);
    QVERIFY(throttle.retryAfterSeconds(u"alice"_s, 0) > 0);
    QCOMPARE(throttle.retryAfterSeconds(u"bob"_s, 0), 0);
    QCOMPARE(throttle.retryAfterSeconds(u"Alice"_s, 0), 0); // keys are compared exactly
    throttle.recordFailure(u"bob"_s, 0);
    QCOMPARE(throttle.retryAfterSeconds(u"bob"_s, 0), 0);
    throttle.recordFailure(u"bob"_s, 0);
    QVERIFY(throttle.retryAfterSeconds(u"bob"_s, 0) > 0);
    QVERIFY(throttle.retryAfterSeconds(u"alice"_s, 0) > 0);
    QCOMPARE(throttle.size(), 2);
}

void tst_FailureThrottle::maxKeysBound_data()
{
    QTest::addColumn<int>("maxKeys");
    QTest::addColumn<int>("distinct"); // keys failing in turn, round after round

    QTest::addRow("1 key max, 5 keys") << 1 << 5;
    QTest::addRow("3 keys max, 3 keys") << 3 << 3;
    QTest::addRow("3 keys max, 50 keys") << 3 << 50;
    QTest::addRow("100 keys max, 1000 keys") << 100 << 1000;
}

void tst_FailureThrottle::maxKeysBound()
{
    QFETCH(int, maxKeys);
    QFETCH(int, distinct);

    FailureThrottle throttle(options(10, 10, maxKeys));
    qint64 now = 0;
    for (int round = 0; round < 4; ++round) {
        for (int i = 0; i < distinct; ++i) {
            throttle.recordFailure(u"key-%1"_s.arg(i), ++now);
            QVERIFY2(throttle.size() <= maxKeys, qPrintable(u"size %1 in round %2"_s.arg(throttle.size()).arg(round)));
        }
    }
    QCOMPARE(throttle.size(), qMin(maxKeys, distinct));
}

void tst_FailureThrottle::forgetsTheKeyThatFailedFirst()
{
    FailureThrottle throttle(options(1, 1, 3));
    for (int i = 0; i < 5; ++i)
        throttle.recordFailure(u"key-%1"_s.arg(i), 0);
    QCOMPARE(throttle.size(), 3);
    // The two that failed first are forgotten (may try again), the last three are held.
    QCOMPARE(throttle.retryAfterSeconds(u"key-0"_s, 0), 0);
    QCOMPARE(throttle.retryAfterSeconds(u"key-1"_s, 0), 0);
    for (int i = 2; i < 5; ++i)
        QVERIFY2(throttle.retryAfterSeconds(u"key-%1"_s.arg(i), 0) > 0, qPrintable(QString::number(i)));
}

// An attempt charged up front and refunded (the password was right) costs nothing; a refund
// never lifts the bucket past its burst, and a key never charged is left alone.
void tst_FailureThrottle::refundGivesBackOneAttempt()
{
    FailureThrottle throttle(options(1, 2));
    const qint64 now = 1'000'000;
    const QString key = u"10.0.0.1"_s;
    throttle.recordFailure(key, now);
    throttle.recordFailure(key, now);
    QVERIFY(throttle.retryAfterSeconds(key, now) > 0);
    throttle.refund(key, now);
    QCOMPARE(throttle.retryAfterSeconds(key, now), 0);
    throttle.refund(key, now);
    throttle.refund(key, now);
    throttle.recordFailure(key, now);
    throttle.recordFailure(key, now);
    QVERIFY(throttle.retryAfterSeconds(key, now) > 0);

    throttle.refund(u"10.0.0.2"_s, now);
    QCOMPARE(throttle.size(), 1);
}

QTEST_APPLESS_MAIN(tst_FailureThrottle)
#include "tst_failurethrottle.moc"
