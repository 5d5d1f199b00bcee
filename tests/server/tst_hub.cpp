#include "fakeeventbus.h"
#include "fakestreamsink.h"
#include "hub.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

Q_DECLARE_METATYPE(Hub::PublishError)

// The publishing front on a bus the test drives: answers come from the bus, never before it
// stored the event; refusals come at once; stream operations reach the other nodes.
class tst_Hub final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void refusalsAnswerAtOnce_data();
    void refusalsAnswerAtOnce();
    void answerWaitsForTheBus();
    void failedStoreAnswersUnavailable();
    void operationsReachOtherNodes();

private:
    FakeStreamSink *open(const QString &userId = {});

    FakeEventBus *m_bus = nullptr;
    std::unique_ptr<Hub> m_hub;
};

void tst_Hub::init()
{
    auto bus = std::make_unique<FakeEventBus>();
    m_bus = bus.get();
    m_hub = std::make_unique<Hub>(std::move(bus), Fanout::Options{}, Hub::Options{1024});
}

void tst_Hub::cleanup()
{
    m_hub.reset();
    m_bus = nullptr;
}

FakeStreamSink *tst_Hub::open(const QString &userId)
{
    auto sink = std::make_unique<FakeStreamSink>();
    FakeStreamSink *raw = sink.get();
    Fanout::StreamRequest request;
    request.info.principal.userId = userId;
    m_hub->fanout().open(std::move(request), std::move(sink));
    return raw;
}

void tst_Hub::refusalsAnswerAtOnce_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<Hub::PublishError>("error");

    QTest::addRow("name with a newline") << QByteArray("a\nb") << QByteArray("x") << Hub::PublishError::InvalidName;
    QTest::addRow("NUL in data") << QByteArray() << QByteArray("a\0b", 3) << Hub::PublishError::InvalidData;
    QTest::addRow("over --max-event-kb") << QByteArray() << QByteArray(1025, 'x') << Hub::PublishError::TooLarge;
}

void tst_Hub::refusalsAnswerAtOnce()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);
    QFETCH(Hub::PublishError, error);
    std::optional<Hub::PublishResult> answer;
    m_hub->pushEvent(name, data, {}, [&](const Hub::PublishResult &result) { answer = result; });
    QVERIFY(answer);
    QCOMPARE(answer->error, error);
    QVERIFY(answer->id.isEmpty());
    QVERIFY(!answer->message.isEmpty());
    QCOMPARE(m_bus->pending(), 0);
    QCOMPARE(m_hub->stats().eventsRejected, qint64(1));
}

void tst_Hub::answerWaitsForTheBus()
{
    QPointer<FakeStreamSink> alice = open(QStringLiteral("alice"));
    QPointer<FakeStreamSink> bob = open(QStringLiteral("bob"));
    QSignalSpy published(m_hub.get(), &Hub::eventPublished);
    std::optional<Hub::PublishResult> toAll;
    std::optional<Hub::PublishResult> toAlice;
    m_hub->push("all", {}, [&](const Hub::PublishResult &result) { toAll = result; });
    m_hub->pushEventToUsers({QStringLiteral("alice")}, "dm", "hi", [&](const Hub::PublishResult &result) {
        toAlice = result;
    });
    QVERIFY(!toAll && !toAlice);
    QTest::qWait(10);
    QVERIFY2(alice->messages().isEmpty(), "a stream got an event the bus had not stored");

    m_bus->commitNext();
    QVERIFY(toAll && !toAlice);
    QCOMPARE(toAll->error, Hub::PublishError::None);
    QCOMPARE(toAll->id, QByteArray("f-1"));
    QCOMPARE(toAll->delivered, 2);
    m_bus->commitNext();
    QVERIFY(toAlice);
    QCOMPARE(toAlice->delivered, 1);
    QCOMPARE(published.count(), 2);
    QCOMPARE(m_hub->stats().eventsPublished, qint64(2));
    QTRY_COMPARE(alice->messages().size(), 2);
    QCOMPARE(bob->messages().size(), 1);
}

void tst_Hub::failedStoreAnswersUnavailable()
{
    QPointer<FakeStreamSink> sink = open();
    std::optional<Hub::PublishResult> answer;
    m_hub->push("lost", {}, [&](const Hub::PublishResult &result) { answer = result; });
    m_bus->failNext(QStringLiteral("history not writable: disk full"));
    QVERIFY(answer);
    QCOMPARE(answer->error, Hub::PublishError::Unavailable);
    QVERIFY(answer->id.isEmpty());
    QCOMPARE(answer->message, QStringLiteral("history not writable: disk full"));
    QCOMPARE(m_hub->stats().eventsUnavailable, qint64(1));
    QCOMPARE(m_hub->stats().eventsPublished, qint64(0));
    QTest::qWait(10);
    QVERIFY(sink->messages().isEmpty());
}

void tst_Hub::operationsReachOtherNodes()
{
    open(QStringLiteral("alice"));
    QCOMPARE(m_hub->pause(2000, Target{{}, {QStringLiteral("alice")}, {}}, {QStringLiteral("ops")}), 1);
    QCOMPARE(m_hub->closeSession(QStringLiteral("s9")), 0);
    QCOMPARE(m_hub->kick(4242), Hub::KickResult::Unknown); // no node number: a local id, not here
    const quint64 elsewhere = (quint64(5) << Fanout::nodeShift) + 42;
    QCOMPARE(m_hub->kick(elsewhere), Hub::KickResult::Sent); // node 5's stream
    QCOMPARE(m_bus->commands.size(), 3);
    const EventBus::Command &pause = m_bus->commands[0];
    QCOMPARE(pause.kind, EventBus::Command::Kind::Pause);
    QCOMPARE(pause.delayMs, 2000);
    QCOMPARE(pause.target.users, QStringList{QStringLiteral("alice")});
    QCOMPARE(pause.exceptGroups, QStringList{QStringLiteral("ops")});
    QCOMPARE(m_bus->commands[1].kind, EventBus::Command::Kind::CloseSession);
    QCOMPARE(m_bus->commands[1].sessionId, QStringLiteral("s9"));
    QCOMPARE(m_bus->commands[2].kind, EventBus::Command::Kind::Kick);
    QCOMPARE(m_bus->commands[2].connectionId, elsewhere);
}

QTEST_GUILESS_MAIN(tst_Hub)
#include "tst_hub.moc"
