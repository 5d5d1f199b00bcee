#include "fanoutfixture.h"
#include "faultinjector.h"

#include <QJsonArray>
#include <QTest>

namespace {

FaultRequest fault(FaultRequest::Type type, const QString &connection = {})
{
    FaultRequest request;
    request.type = type;
    request.connection = connection;
    if (type == FaultRequest::Type::Stall)
        request.durationMs = FaultRequest::maxDurationMs;
    if (type == FaultRequest::Type::Reject)
        request.status = 503;
    return request;
}

Principal session(const QString &id, const QString &user = {})
{
    Principal principal;
    principal.sessionId = id;
    principal.userId = user;
    return principal;
}

} // namespace

// The fault book over a fan-out whose sinks are no sockets: which streams a fault reaches,
// what lifts it, and that faults overlapping on one stream do not undo each other.
class tst_FaultInjector final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void stallQueuesUntilRemoved();
    void overlappingStallsLiftTogether();
    void nextEventFaultsApplyOnceAndWithdraw();
    void targetReachesItsStreamsOnly();
    void rejectCountsDownPerSession();
    void unknownConnectionRefused();
    void boundedNumberOfFaults();

private:
    QPointer<FakeStreamSink> open(const Principal &principal = {}) { return m_hub.open(principal); }
    QString idOf(int index) const { return QString::number(m_hub.fanout->connections().at(index)->info().id); }
    void publish(const QByteArray &data) { m_hub.publish(data); }

    FanoutFixture m_hub;
    std::unique_ptr<FaultInjector> m_faults;
};

void tst_FaultInjector::init()
{
    m_hub.start();
    m_faults = std::make_unique<FaultInjector>(m_hub.fanout.get());
}

void tst_FaultInjector::cleanup()
{
    m_faults.reset();
    m_hub.stop();
}

void tst_FaultInjector::stallQueuesUntilRemoved()
{
    QPointer<FakeStreamSink> sink = open();
    QTRY_VERIFY(!sink->written().isEmpty());
    const FaultInjector::Added added = m_faults->add(fault(FaultRequest::Type::Stall, idOf(0)));
    QCOMPARE(added.affected, 1);
    const QByteArray before = sink->written();
    publish("held");
    QTest::qWait(20);
    QCOMPARE(sink->written(), before);
    QVERIFY(sink->unsent() > 0);
    QCOMPARE(m_faults->list()[u"faults"].toArray().first()[u"pending"].toArray().size(), 1);
    QVERIFY(m_faults->remove(added.id));
    QTRY_COMPARE(sink->messages().size(), 1);
    QCOMPARE(m_faults->activeCount(), 0);
    QCOMPARE(m_faults->stats().streamsStalled, 1);
}

void tst_FaultInjector::overlappingStallsLiftTogether()
{
    QPointer<FakeStreamSink> sink = open();
    const FaultInjector::Added first = m_faults->add(fault(FaultRequest::Type::Stall, idOf(0)));
    const FaultInjector::Added second = m_faults->add(fault(FaultRequest::Type::Stall));
    publish("held");
    QVERIFY(m_faults->remove(first.id));
    QTest::qWait(20);
    QVERIFY(sink->messages().isEmpty()); // the second stall still holds it
    QVERIFY(m_faults->remove(second.id));
    QTRY_COMPARE(sink->messages().size(), 1);
}

void tst_FaultInjector::nextEventFaultsApplyOnceAndWithdraw()
{
    QPointer<FakeStreamSink> sink = open();
    m_faults->add(fault(FaultRequest::Type::Duplicate, idOf(0)));
    const FaultInjector::Added withdrawn = m_faults->add(fault(FaultRequest::Type::Malformed, idOf(0)));
    QVERIFY(m_faults->remove(withdrawn.id));
    publish("one");
    publish("two");
    QTRY_COMPARE(sink->messages().size(), 3);
    QVERIFY(!sink->written().contains(SseConnection::malformedLine));
    QCOMPARE(m_hub.fanout->stats().faultDuplicates, 1);
    QCOMPARE(m_faults->activeCount(), 0); // applied: nothing left to apply to
}

void tst_FaultInjector::targetReachesItsStreamsOnly()
{
    QPointer<FakeStreamSink> alice = open(session(QStringLiteral("s1"), QStringLiteral("alice")));
    QPointer<FakeStreamSink> bob = open(session(QStringLiteral("s2"), QStringLiteral("bob")));
    FaultRequest cut = fault(FaultRequest::Type::Cut);
    cut.target.users = {QStringLiteral("alice")};
    QCOMPARE(m_faults->add(cut).affected, 1);
    publish("for everyone");
    QTRY_VERIFY(!alice);
    QTRY_COMPARE(bob->messages().size(), 1);
    QCOMPARE(m_hub.fanout->stats().faultCuts, 1);
}

void tst_FaultInjector::rejectCountsDownPerSession()
{
    open(session(QStringLiteral("s1")));
    FaultRequest reject = fault(FaultRequest::Type::Reject, idOf(0));
    reject.count = 2;
    reject.status = 429;
    reject.retryAfterS = 3;
    QCOMPARE(m_faults->add(reject).affected, 0);
    QVERIFY(!m_faults->takeRejection(session(QStringLiteral("s2"))));
    const std::optional<FaultInjector::Rejection> first = m_faults->takeRejection(session(QStringLiteral("s1")));
    QVERIFY(first);
    QCOMPARE(first->status, 429);
    QCOMPARE(first->retryAfterS, 3);
    QCOMPARE(m_faults->list()[u"faults"].toArray().first()[u"remaining"].toInt(), 1);
    QVERIFY(m_faults->takeRejection(session(QStringLiteral("s1"))));
    QVERIFY(!m_faults->takeRejection(session(QStringLiteral("s1"))));
    QCOMPARE(m_faults->activeCount(), 0);
    QCOMPARE(m_faults->stats().requestsRejected, 2);
}

void tst_FaultInjector::unknownConnectionRefused()
{
    const FaultInjector::Added added = m_faults->add(fault(FaultRequest::Type::Cut, QStringLiteral("42")));
    QVERIFY(added.unknownConnection);
    QVERIFY(added.id.isEmpty());
    QCOMPARE(m_faults->stats().created[int(FaultRequest::Type::Cut)], 0);
}

void tst_FaultInjector::boundedNumberOfFaults()
{
    FaultRequest reject = fault(FaultRequest::Type::Reject);
    for (int i = 0; i < FaultInjector::maxFaults; ++i)
        QVERIFY(!m_faults->add(reject).id.isEmpty());
    const FaultInjector::Added refused = m_faults->add(reject);
    QVERIFY(refused.id.isEmpty());
    QVERIFY(refused.error.contains(QString::number(FaultInjector::maxFaults)));
}

QTEST_GUILESS_MAIN(tst_FaultInjector)
#include "tst_faultinjector.moc"
