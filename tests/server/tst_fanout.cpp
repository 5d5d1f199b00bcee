#include "fakestreamsink.h"
#include "fanout.h"
#include "localbus.h"
#include "ringeventlog.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(SseConnection::CloseReason)

namespace {

Event draft(const QByteArray &name, const QByteArray &data, const Target &target = {})
{
    Event event;
    event.name = name;
    event.data = data;
    event.target = target;
    return event;
}

Principal user(const QString &id, const QStringList &groups = {})
{
    Principal principal;
    principal.userId = id;
    principal.groupIds = groups;
    return principal;
}

QStringList dataOf(const QList<SseMessage> &messages)
{
    QStringList out;
    for (const SseMessage &message : messages)
        out.append(message.data);
    return out;
}

} // namespace

// The fan-out on a bus in memory, with sinks that are no sockets.
class tst_Fanout final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void openSendsRetryAndHead();
    void deliversCommittedEventsToRecipients();
    void resumeReplaysAfterTheId();
    void resumeFromUnknownIdSignalsGap();
    void replayWaitsForTheSinkToDrain();
    void slowConsumerDropped();
    void pauseSparesExceptedGroups();
    void commandsFromTheBusApply();
    void lossReachesLiveStreams();
    void heartbeatReachesIdleStreams();
    void expiredTokenCloses();
    void joiningRenumbersEarlierStreams();
    void shutdownSendsRetryAndDrains();

private:
    FakeStreamSink *open(const Principal &principal = {}, const QByteArrayList &filter = {},
                         std::optional<QByteArray> lastEventId = std::nullopt,
                         qint64 window = FakeStreamSink::unlimited, QDateTime expiresAt = {});
    QByteArray publish(const Event &event);

    std::unique_ptr<LocalBus> m_bus;
    std::unique_ptr<Fanout> m_fanout;
    Fanout::Options m_options;
};

void tst_Fanout::init()
{
    m_options = {};
    m_options.maxBufferBytes = 64 * 1024;
    m_bus = std::make_unique<LocalBus>(std::make_unique<RingEventLog>(1000));
    m_fanout = std::make_unique<Fanout>(m_bus.get(), m_options);
}

void tst_Fanout::cleanup()
{
    m_fanout.reset();
    m_bus.reset();
}

FakeStreamSink *tst_Fanout::open(const Principal &principal, const QByteArrayList &filter,
                                 std::optional<QByteArray> lastEventId, qint64 window, QDateTime expiresAt)
{
    auto sink = std::make_unique<FakeStreamSink>(window);
    FakeStreamSink *raw = sink.get();
    Fanout::StreamRequest request;
    request.info.principal = principal;
    request.info.filter = filter;
    request.info.expiresAt = expiresAt;
    request.lastEventId = std::move(lastEventId);
    m_fanout->open(std::move(request), std::move(sink));
    return raw;
}

QByteArray tst_Fanout::publish(const Event &event)
{
    QByteArray id;
    m_bus->publish(event, [&id](const EventBus::Published &published) { id = published.event.id; });
    return id;
}

void tst_Fanout::openSendsRetryAndHead()
{
    const QByteArray head = publish(draft({}, "before"));
    QSignalSpy opened(m_fanout.get(), &Fanout::connectionOpened);
    QPointer<FakeStreamSink> sink = open();
    QCOMPARE(opened.count(), 1);
    QCOMPARE(m_fanout->connectionCount(), 1);
    QVERIFY(sink->written().isEmpty()); // queued for the end of the turn
    QTRY_VERIFY(!sink->written().isEmpty());
    const SseParser parsed = sink->parsed();
    QCOMPARE(parsed.retryMs(), qint64(m_options.retryMs));
    QCOMPARE(parsed.lastEventId(), QString::fromLatin1(head));
    QVERIFY(sink->messages().isEmpty()); // nothing from before it opened
    QCOMPARE(m_fanout->connections().first()->info().id, quint64(1));
}

void tst_Fanout::deliversCommittedEventsToRecipients()
{
    QPointer<FakeStreamSink> everyone = open();
    QPointer<FakeStreamSink> alice = open(user(QStringLiteral("alice")), {"news"});
    QPointer<FakeStreamSink> bob = open(user(QStringLiteral("bob")));
    QSignalSpy delivered(m_fanout.get(), &Fanout::eventDelivered);
    publish(draft("news", "for all"));
    publish(draft("news", "for alice", Target{{}, {QStringLiteral("alice")}, {}}));
    publish(draft("chat", "not news"));
    QCOMPARE(delivered.count(), 3);
    QCOMPARE(delivered.at(0).at(1).toInt(), 3);
    QCOMPARE(delivered.at(1).at(1).toInt(), 1);
    QCOMPARE(delivered.at(2).at(1).toInt(), 2);
    QTRY_COMPARE(everyone->messages().size(), 2);
    QCOMPARE(dataOf(everyone->messages()), (QStringList{"for all", "not news"}));
    QTRY_COMPARE(dataOf(alice->messages()), (QStringList{"for all", "for alice"}));
    QCOMPARE(dataOf(bob->messages()), (QStringList{"for all", "not news"}));
    QCOMPARE(m_fanout->stats().deliveries, qint64(6));
}

void tst_Fanout::resumeReplaysAfterTheId()
{
    const QByteArray first = publish(draft({}, "1"));
    publish(draft({}, "2"));
    publish(draft({}, "private", Target{{}, {QStringLiteral("carol")}, {}}));
    const QByteArray third = publish(draft({}, "3"));
    QPointer<FakeStreamSink> sink = open(user(QStringLiteral("dave")), {}, first);
    QTRY_COMPARE(dataOf(sink->messages()), (QStringList{"2", "3"}));
    QCOMPARE(sink->messages().last().lastEventId, QString::fromLatin1(third));
    publish(draft({}, "live"));
    QTRY_COMPARE(dataOf(sink->messages()), (QStringList{"2", "3", "live"}));
    QCOMPARE(m_fanout->stats().replayedEvents, qint64(2));
    QCOMPARE(m_fanout->stats().resumeGaps, qint64(0));
}

void tst_Fanout::resumeFromUnknownIdSignalsGap()
{
    publish(draft({}, "1"));
    publish(draft({}, "2"));
    QPointer<FakeStreamSink> sink = open({}, {}, QByteArray("elsewhere-7"));
    QTRY_COMPARE(sink->messages().size(), 3);
    const QList<SseMessage> messages = sink->messages();
    QCOMPARE(messages.first().type, QString::fromLatin1(Fanout::gapEventName));
    QCOMPARE(messages.first().data, QStringLiteral(R"({"reason":"unknown"})"));
    QCOMPARE(dataOf(messages.mid(1)), (QStringList{"1", "2"}));
    QCOMPARE(m_fanout->stats().resumeGaps, qint64(1));
}

// A replay queues at most half the stream's buffer at once and goes on as the peer reads;
// live events published meanwhile come after it, none lost, none twice.
void tst_Fanout::replayWaitsForTheSinkToDrain()
{
    const QByteArray data(1000, 'r');
    QByteArray before;
    for (int i = 0; i < 200; ++i) {
        const QByteArray id = publish(draft({}, data + QByteArray::number(i)));
        if (i == 0)
            before = id;
    }
    QPointer<FakeStreamSink> sink = open({}, {}, before, 0);
    QTest::qWait(20);
    QVERIFY(sink->unsent() <= m_options.maxBufferBytes / 2 + 2048);
    QVERIFY(sink->unsent() > 0);
    publish(draft({}, "live"));
    for (int i = 0; i < 100 && sink && sink->messages().size() < 200; ++i) {
        sink->read(16 * 1024);
        QTest::qWait(1);
    }
    QVERIFY(sink);
    sink->read(FakeStreamSink::unlimited);
    QTRY_COMPARE(sink->messages().size(), 200);
    const QList<SseMessage> messages = sink->messages();
    for (int i = 0; i < 199; ++i)
        QCOMPARE(messages[i].data, QString::fromLatin1(data + QByteArray::number(i + 1)));
    QCOMPARE(messages.last().data, QStringLiteral("live"));
    QCOMPARE(m_fanout->stats().slowConsumersDropped, qint64(0));
}

void tst_Fanout::slowConsumerDropped()
{
    QPointer<FakeStreamSink> stalled = open({}, {}, std::nullopt, 0);
    QPointer<FakeStreamSink> reader = open();
    QSignalSpy closed(m_fanout.get(), &Fanout::connectionClosed);
    const QByteArray data(16 * 1024, 'x');
    for (int i = 0; i < 8 && closed.isEmpty(); ++i) {
        publish(draft({}, data));
        QTest::qWait(1);
    }
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.first().at(1).value<SseConnection::CloseReason>(), SseConnection::CloseReason::SlowConsumer);
    QVERIFY(stalled.isNull() || stalled->wasAborted());
    QCOMPARE(m_fanout->stats().slowConsumersDropped, qint64(1));
    QCOMPARE(m_fanout->connectionCount(), 1);
    QVERIFY(reader && !reader->isClosed());
}

void tst_Fanout::pauseSparesExceptedGroups()
{
    QPointer<FakeStreamSink> staff = open(user(QStringLiteral("u1"), {QStringLiteral("staff")}));
    QPointer<FakeStreamSink> guest = open(user(QStringLiteral("u2")));
    QCOMPARE(m_fanout->pause(5000, {}, {QStringLiteral("staff")}), 1);
    QTRY_VERIFY(guest.isNull());
    QVERIFY(staff && !staff->isClosed());
    QCOMPARE(m_fanout->connectionCount(), 1);
    QCOMPARE(m_fanout->stats().paused, qint64(1));
}

// Commands the bus brings from other nodes act as if given here.
void tst_Fanout::commandsFromTheBusApply()
{
    Principal principal;
    principal.sessionId = QStringLiteral("s1");
    QPointer<FakeStreamSink> session = open(principal);
    QPointer<FakeStreamSink> other = open();
    QSignalSpy closed(m_fanout.get(), &Fanout::connectionClosed);
    EventBus::Command close;
    close.kind = EventBus::Command::Kind::CloseSession;
    close.sessionId = QStringLiteral("s1");
    Q_EMIT m_bus->commandReceived(close);
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.first().at(1).value<SseConnection::CloseReason>(), SseConnection::CloseReason::SessionChanged);

    EventBus::Command kick;
    kick.kind = EventBus::Command::Kind::Kick;
    kick.connectionId = m_fanout->connections().first()->info().id;
    Q_EMIT m_bus->commandReceived(kick);
    QTRY_COMPARE(closed.count(), 2);
    QCOMPARE(closed.last().at(1).value<SseConnection::CloseReason>(), SseConnection::CloseReason::Kicked);
    QCOMPARE(m_fanout->connectionCount(), 0);
}

// Events the bus lost (trimmed in a cluster before this node read them): live streams are told.
void tst_Fanout::lossReachesLiveStreams()
{
    QPointer<FakeStreamSink> sink = open();
    publish(draft({}, "before"));
    Q_EMIT m_bus->eventsLost();
    publish(draft({}, "after"));
    QTRY_COMPARE(sink->messages().size(), 3);
    const QList<SseMessage> messages = sink->messages();
    QCOMPARE(messages[0].data, QStringLiteral("before"));
    QCOMPARE(messages[1].type, QString::fromLatin1(Fanout::gapEventName));
    QCOMPARE(messages[1].data, QStringLiteral(R"({"reason":"too-old"})"));
    QCOMPARE(messages[2].data, QStringLiteral("after"));
}

void tst_Fanout::heartbeatReachesIdleStreams()
{
    m_fanout.reset();
    m_options.heartbeatMs = 50;
    m_fanout = std::make_unique<Fanout>(m_bus.get(), m_options);
    QPointer<FakeStreamSink> sink = open();
    QTRY_VERIFY(sink->parsed().commentCount() >= 1);
}

void tst_Fanout::expiredTokenCloses()
{
    QSignalSpy closed(m_fanout.get(), &Fanout::connectionClosed);
    open(user(QStringLiteral("u")), {}, std::nullopt, FakeStreamSink::unlimited,
         QDateTime::currentDateTimeUtc().addMSecs(30));
    QPointer<FakeStreamSink> lasting = open();
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.first().at(1).value<SseConnection::CloseReason>(), SseConnection::CloseReason::TokenExpired);
    QCOMPARE(m_fanout->stats().tokenExpired, qint64(1));
    QVERIFY(lasting && !lasting->isClosed());
}

// Streams opened before the node had a cluster number get it on top of their id; the
// registry, the token expiry and kick follow the new id.
void tst_Fanout::joiningRenumbersEarlierStreams()
{
    QSignalSpy renumbered(m_fanout.get(), &Fanout::connectionRenumbered);
    QSignalSpy closed(m_fanout.get(), &Fanout::connectionClosed);
    QPointer<FakeStreamSink> expiring = open(user(QStringLiteral("u")), {}, std::nullopt, FakeStreamSink::unlimited,
                                             QDateTime::currentDateTimeUtc().addMSecs(200));
    QPointer<FakeStreamSink> kicked = open();
    const quint64 node = 5;
    m_fanout->setNodeNumber(node);
    QCOMPARE(renumbered.count(), 2);
    QPointer<FakeStreamSink> later = open();
    QSet<quint64> ids;
    for (const SseConnection *connection : m_fanout->connections()) {
        QCOMPARE(connection->info().id >> Fanout::nodeShift, node);
        ids.insert(connection->info().id);
    }
    QCOMPARE(ids.size(), 3);
    quint64 kickedId = 0;
    for (const QList<QVariant> &arguments : std::as_const(renumbered)) {
        const quint64 oldId = arguments.at(0).toULongLong();
        const auto *connection = arguments.at(1).value<const SseConnection *>();
        QCOMPARE(oldId >> Fanout::nodeShift, quint64(0));
        QCOMPARE(connection->info().id, (node << Fanout::nodeShift) | oldId);
        QVERIFY(!m_fanout->kick(oldId));
        if (!connection->info().expiresAt.isValid())
            kickedId = connection->info().id;
    }
    QVERIFY(m_fanout->kick(kickedId));
    QTRY_VERIFY(kicked && kicked->isClosed());
    QTRY_COMPARE(closed.count(), 2);
    QCOMPARE(closed.last().at(1).value<SseConnection::CloseReason>(), SseConnection::CloseReason::TokenExpired);
    QVERIFY(later && !later->isClosed());
}

void tst_Fanout::shutdownSendsRetryAndDrains()
{
    QPointer<FakeStreamSink> first = open();
    QPointer<FakeStreamSink> second = open();
    QSignalSpy drained(m_fanout.get(), &Fanout::drained);
    QByteArray written;
    connect(first.data(), &StreamSink::closed, this, [&] { written = first->written(); });
    m_fanout->shutdown();
    QTRY_COMPARE(drained.count(), 1);
    QVERIFY(written.endsWith("retry: " + QByteArray::number(m_options.retryMs) + "\n\n"));
    QCOMPARE(m_fanout->connectionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_Fanout)
#include "tst_fanout.moc"
