#include "fanoutfixture.h"

#include <QTest>

// Delivery status (GET /api/events/<id>) on a fan-out whose sinks are no sockets: a peer
// that does not read holds events queued, one that goes away drops them.
class tst_DeliveryLedger final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void readerTakesItAtOnce();
    void slowReaderHoldsThenTakes();
    void goneReaderDropsWhatItHeld();
    void laterStreamsDoNotCount();
    void ticketsCompareAcrossTheWrap();
    void keepsTheNewest();

private:
    QPointer<FakeStreamSink> open(qint64 window = FakeStreamSink::unlimited, const QByteArrayList &filter = {})
    {
        return m_hub.open({}, window, filter);
    }
    QByteArray publish(const QByteArray &name = {}) { return m_hub.publish("data", name); }
    DeliveryLedger::Status status(const QByteArray &id) const { return m_hub.fanout->deliveryStatus(id).value(); }

    FanoutFixture m_hub;
};

void tst_DeliveryLedger::init()
{
    m_hub.start();
}

void tst_DeliveryLedger::cleanup()
{
    m_hub.stop();
}

void tst_DeliveryLedger::readerTakesItAtOnce()
{
    open();
    open(FakeStreamSink::unlimited, {"other"});
    const QByteArray id = publish("e");
    // Queued until the end of the event-loop turn, then taken.
    QCOMPARE(status(id).queued, 1);
    QCOMPARE(status(id).recipients, 1);
    QTRY_COMPARE(status(id).delivered(), 1);
    QCOMPARE(status(id).queued, 0);
    QCOMPARE(status(id).dropped, 0);
}

void tst_DeliveryLedger::slowReaderHoldsThenTakes()
{
    QPointer<FakeStreamSink> slow = open(0);
    const QByteArray first = publish();
    const QByteArray second = publish();
    QTest::qWait(20);
    QCOMPARE(status(first).queued, 1);
    QCOMPARE(status(second).queued, 1);
    slow->read(FakeStreamSink::unlimited);
    QCOMPARE(status(first).delivered(), 1);
    QCOMPARE(status(second).delivered(), 1);
}

void tst_DeliveryLedger::goneReaderDropsWhatItHeld()
{
    QPointer<FakeStreamSink> reader = open();
    const QByteArray taken = publish();
    QTRY_COMPARE(status(taken).delivered(), 1);
    QPointer<FakeStreamSink> slow = open(0);
    const QByteArray held = publish();
    QTRY_COMPARE(reader->messages().size(), 2);
    slow->gone();
    QCOMPARE(status(held).recipients, 2);
    QCOMPARE(status(held).dropped, 1);
    QCOMPARE(status(held).delivered(), 1);
    QCOMPARE(status(taken).dropped, 0); // it was taken before the slow stream opened
}

void tst_DeliveryLedger::laterStreamsDoNotCount()
{
    const QByteArray before = publish();
    QPointer<FakeStreamSink> late = open(0);
    publish();
    QTest::qWait(20);
    QCOMPARE(status(before).recipients, 0);
    QCOMPARE(status(before).queued, 0);
    late->gone();
    QCOMPARE(status(before).dropped, 0);
}

void tst_DeliveryLedger::ticketsCompareAcrossTheWrap()
{
    QVERIFY(DeliveryLedger::after(1, 0));
    QVERIFY(DeliveryLedger::after(0, 0xffffffffu));
    QVERIFY(DeliveryLedger::after(5, 0xfffffff0u));
    QVERIFY(!DeliveryLedger::after(0xfffffff0u, 5));
    QVERIFY(!DeliveryLedger::after(7, 7));
}

void tst_DeliveryLedger::keepsTheNewest()
{
    const QByteArray oldest = publish();
    for (int i = 0; i < DeliveryLedger::capacity; ++i)
        publish();
    QVERIFY(!m_hub.fanout->deliveryStatus(oldest));
    QVERIFY(!m_hub.fanout->ledger().recipients(oldest));
    QVERIFY(m_hub.fanout->deliveryStatus(publish()));
}

QTEST_GUILESS_MAIN(tst_DeliveryLedger)
#include "tst_deliveryledger.moc"
