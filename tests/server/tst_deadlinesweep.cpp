#include "deadlinesweep.h"

#include <QList>
#include <QTest>
#include <QTimer>

namespace {

constexpr int timeoutMs = 20;

// The sweep's one timer (white box: whether it runs).
bool sweeping(const DeadlineSweep &sweep)
{
    const QTimer *timer = sweep.findChild<QTimer *>();
    return timer && timer->isActive();
}

} // namespace

// Nothing here measures time: a deadline armed later is a sentinel that, once it fired, shows
// that every deadline armed before it had its turn.
class tst_DeadlineSweep final : public QObject
{
    Q_OBJECT

private slots:
    void expiresOnce();
    void expiresInArmOrder();
    void cancelledNeverRuns();
    void rearmedRunsOnce();
    void cancelIgnoresStaleTickets();
    void callbackCancelsAnother();
    void callbackArmsAgain();
    void timerRunsOnlyWhileArmed();
};

void tst_DeadlineSweep::expiresOnce()
{
    DeadlineSweep sweep(timeoutMs);
    int fired = 0;
    QVERIFY(sweep.arm([&] { ++fired; }) != 0);
    QTRY_COMPARE(fired, 1);
    bool sentinel = false;
    sweep.arm([&] { sentinel = true; });
    QTRY_VERIFY(sentinel);
    QCOMPARE(fired, 1);
}

void tst_DeadlineSweep::expiresInArmOrder()
{
    DeadlineSweep sweep(timeoutMs);
    QList<int> order;
    for (int i = 1; i <= 5; ++i)
        sweep.arm([&order, i] { order.append(i); });
    QTRY_COMPARE(order, (QList<int>{1, 2, 3, 4, 5}));
}

void tst_DeadlineSweep::cancelledNeverRuns()
{
    DeadlineSweep sweep(timeoutMs);
    bool cancelled = false;
    bool sentinel = false;
    const DeadlineSweep::Ticket ticket = sweep.arm([&] { cancelled = true; });
    sweep.arm([&] { sentinel = true; });
    // The sentinel stays armed, so the cancelled entry is still queued ahead of it.
    sweep.cancel(ticket);
    QTRY_VERIFY(sentinel);
    QVERIFY(!cancelled);
}

void tst_DeadlineSweep::rearmedRunsOnce()
{
    // What a guard does for each request: cancel its deadline and arm a new one.
    DeadlineSweep sweep(timeoutMs);
    int fired = 0;
    DeadlineSweep::Ticket ticket = sweep.arm([&] { ++fired; });
    for (int i = 0; i < 3; ++i) {
        sweep.cancel(ticket);
        ticket = sweep.arm([&] { ++fired; });
    }
    QTRY_COMPARE(fired, 1);
    bool sentinel = false;
    sweep.arm([&] { sentinel = true; });
    QTRY_VERIFY(sentinel);
    QCOMPARE(fired, 1);
}

void tst_DeadlineSweep::cancelIgnoresStaleTickets()
{
    DeadlineSweep sweep(timeoutMs);
    bool first = false;
    const DeadlineSweep::Ticket expired = sweep.arm([&] { first = true; });
    QTRY_VERIFY(first);
    bool second = false;
    const DeadlineSweep::Ticket armed = sweep.arm([&] { second = true; });
    sweep.cancel(0);
    sweep.cancel(expired);
    sweep.cancel(expired);
    sweep.cancel(armed + 1);
    QVERIFY(sweeping(sweep));
    QTRY_VERIFY(second);
}

void tst_DeadlineSweep::callbackCancelsAnother()
{
    // Armed back to back, the two usually fall due in the same sweep: the first one's
    // callback cancels the second before its turn.
    DeadlineSweep sweep(timeoutMs);
    DeadlineSweep::Ticket second = 0;
    bool firstRan = false;
    bool secondRan = false;
    sweep.arm([&] {
        firstRan = true;
        sweep.cancel(second);
    });
    second = sweep.arm([&] { secondRan = true; });
    bool sentinel = false;
    sweep.arm([&] { sentinel = true; });
    QTRY_VERIFY(sentinel);
    QVERIFY(firstRan);
    QVERIFY(!secondRan);
}

void tst_DeadlineSweep::callbackArmsAgain()
{
    DeadlineSweep sweep(timeoutMs);
    int fired = 0;
    std::function<void()> again = [&] {
        if (++fired < 3)
            sweep.arm(again);
    };
    sweep.arm(again);
    QTRY_COMPARE(fired, 3);
    QTRY_VERIFY(!sweeping(sweep));
    QCOMPARE(fired, 3);
}

void tst_DeadlineSweep::timerRunsOnlyWhileArmed()
{
    DeadlineSweep sweep(timeoutMs);
    QVERIFY(!sweeping(sweep));
    const DeadlineSweep::Ticket first = sweep.arm([] {});
    const DeadlineSweep::Ticket second = sweep.arm([] {});
    QVERIFY(sweeping(sweep));
    sweep.cancel(first);
    QVERIFY(sweeping(sweep));
    sweep.cancel(second);
    QVERIFY(!sweeping(sweep));

    bool fired = false;
    sweep.arm([&] { fired = true; });
    QVERIFY(sweeping(sweep));
    QTRY_VERIFY(fired);
    QVERIFY(!sweeping(sweep));
}

QTEST_GUILESS_MAIN(tst_DeadlineSweep)
#include "tst_deadlinesweep.moc"
