#include "epolleventdispatcher.h"

#include <QCoreApplication>
#include <QPointer>
#include <QSocketNotifier>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <sys/socket.h>
#include <unistd.h>

// The server's event dispatcher, installed for this whole test process as in main().
class tst_EpollEventDispatcher final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isInstalled()
    {
        QVERIFY(qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance()));
    }

    void timersFire_data()
    {
        QTest::addColumn<int>("interval");
        QTest::addColumn<Qt::TimerType>("type");
        QTest::addRow("zero") << 0 << Qt::CoarseTimer;
        QTest::addRow("precise 5 ms") << 5 << Qt::PreciseTimer;
        QTest::addRow("coarse 20 ms") << 20 << Qt::CoarseTimer;
        QTest::addRow("very coarse 1 s") << 1000 << Qt::VeryCoarseTimer;
    }

    void timersFire()
    {
        QFETCH(int, interval);
        QFETCH(Qt::TimerType, type);
        QTimer timer;
        timer.setTimerType(type);
        timer.setInterval(interval);
        int fired = 0;
        connect(&timer, &QTimer::timeout, this, [&] { ++fired; });
        timer.start();
        QTRY_VERIFY_WITH_TIMEOUT(fired >= 2, 10000);
        timer.stop();
        const int seen = fired;
        QTest::qWait(interval + 50);
        QCOMPARE(fired, seen); // a stopped timer is unregistered
    }

    void singleShotAndRemainingTime()
    {
        bool fired = false;
        QTimer timer;
        timer.setSingleShot(true);
        connect(&timer, &QTimer::timeout, this, [&] { fired = true; });
        timer.start(60000);
        const int remaining = timer.remainingTime();
        QVERIFY2(remaining > 50000 && remaining <= 60000, qPrintable(QString::number(remaining)));
        timer.start(1);
        QTRY_VERIFY(fired);
        QCOMPARE(timer.isActive(), false);
    }

    void postedEventsFromAnotherThreadWakeTheLoop()
    {
        bool delivered = false;
        QThread *thread = QThread::create([this, &delivered] {
            QMetaObject::invokeMethod(this, [&delivered] { delivered = true; }, Qt::QueuedConnection);
        });
        thread->start();
        // No timer is due and no socket is ready: only the wake-up can end this wait.
        QTRY_VERIFY_WITH_TIMEOUT(delivered, 10000);
        thread->wait();
        delete thread;
    }

    void deleteLaterRuns()
    {
        QPointer<QObject> object = new QObject;
        object->deleteLater();
        QTRY_VERIFY(object.isNull());
    }

    void socketNotifiers()
    {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        QSocketNotifier readable(fds[0], QSocketNotifier::Read);
        QSocketNotifier writable(fds[0], QSocketNotifier::Write);
        int reads = 0;
        int writes = 0;
        connect(&readable, &QSocketNotifier::activated, this, [&] {
            ++reads;
            char buffer[16];
            [[maybe_unused]] const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        });
        connect(&writable, &QSocketNotifier::activated, this, [&] {
            ++writes;
            writable.setEnabled(false); // level-triggered: would fire every turn
        });
        QTRY_COMPARE(writes, 1);
        QCOMPARE(reads, 0);
        QCOMPARE(::write(fds[1], "x", 1), ssize_t(1));
        QTRY_COMPARE(reads, 1);
        readable.setEnabled(false);
        QCOMPARE(::write(fds[1], "y", 1), ssize_t(1));
        QTest::qWait(50);
        QCOMPARE(reads, 1); // a disabled notifier is not watched
        readable.setEnabled(true);
        QTRY_COMPARE(reads, 2);
        ::close(fds[1]);
        QTRY_VERIFY(reads >= 3); // hang-up counts as readable
        readable.setEnabled(false);
        ::close(fds[0]);
    }

    void eventLoopExits()
    {
        QEventLoop loop;
        QTimer::singleShot(10, &loop, [&loop] { loop.exit(7); });
        QCOMPARE(loop.exec(), 7);
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    tst_EpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
