#include "localbus.h"
#include "ringeventlog.h"
#include "sqliteeventlog.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

Event draft(const QByteArray &data)
{
    Event event;
    event.data = data;
    return event;
}

// A persistent log in memory whose commits are counted and can be made to fail.
class ScriptedLog final : public RingEventLog
{
public:
    ScriptedLog()
        : RingEventLog(100, defaultMaxBytes, "t0")
    {
    }
    Commit commit(const QList<Event> &events) override
    {
        batches.append(int(events.size()));
        if (failNext) {
            failNext = false;
            return {false, QStringLiteral("disk full")};
        }
        return RingEventLog::commit(events);
    }
    bool isPersistent() const override { return true; }

    QList<int> batches; // events per commit, in order
    bool failNext = false;
};

quint64 seqOf(const QByteArray &id)
{
    return EventId::parse(id)->seq;
}

} // namespace

class tst_LocalBus final : public QObject
{
    Q_OBJECT

private slots:
    void memoryLogAnswersAtOnce();
    void persistentLogCommitsOncePerTurn();
    void failedCommitAnswersEveryPublisher();
    void answersMayPublishAgain();
    void flushAnswersWithoutEventLoop();
    void replayAndHeadAreCommittedOnly();
    void sqliteAnswersAfterTheFileHasIt();
};

void tst_LocalBus::memoryLogAnswersAtOnce()
{
    LocalBus bus(std::make_unique<RingEventLog>(10));
    QStringList order;
    connect(&bus, &EventBus::committed, this, [&](const Event &event) { order.append("committed " + event.data); });
    bus.publish(draft("a"), [&](const EventBus::Published &published) {
        QVERIFY(published.ok());
        order.append("answered " + published.event.data);
    });
    QCOMPARE(order, (QStringList{"committed a", "answered a"}));
    QCOMPARE(bus.pending(), 0);
    QCOMPARE(bus.history().size, 1);
}

// Every publish of one event-loop turn goes into one commit; each is emitted, then
// answered, in publish order.
void tst_LocalBus::persistentLogCommitsOncePerTurn()
{
    auto owned = std::make_unique<ScriptedLog>();
    ScriptedLog *log = owned.get();
    LocalBus bus(std::move(owned));
    QStringList order;
    connect(&bus, &EventBus::committed, this, [&](const Event &event) { order.append("committed " + event.data); });
    QByteArrayList ids;
    for (const char *data : {"a", "b", "c"}) {
        bus.publish(draft(data), [&](const EventBus::Published &published) {
            QVERIFY(published.ok());
            order.append("answered " + published.event.data);
            ids.append(published.event.id);
        });
    }
    QVERIFY(order.isEmpty());
    QCOMPARE(bus.pending(), 3);
    QCOMPARE(bus.head(), log->headId());
    QCOMPARE(log->size(), 0);
    QTRY_COMPARE(ids.size(), 3);
    QCOMPARE(log->batches, QList<int>{3});
    QCOMPARE(order, (QStringList{"committed a", "answered a", "committed b", "answered b", "committed c",
                                 "answered c"}));
    QCOMPARE(bus.head(), ids.last());
    QVERIFY(seqOf(ids[0]) < seqOf(ids[1]) && seqOf(ids[1]) < seqOf(ids[2]));
}

// A failed commit answers each of its publishers with the reason, emits none of them, and
// their ids are never used again.
void tst_LocalBus::failedCommitAnswersEveryPublisher()
{
    auto owned = std::make_unique<ScriptedLog>();
    ScriptedLog *log = owned.get();
    LocalBus bus(std::move(owned));
    QSignalSpy committed(&bus, &EventBus::committed);
    log->failNext = true;
    QList<EventBus::Published> answers;
    for (int i = 0; i < 2; ++i)
        bus.publish(draft("lost"), [&](const EventBus::Published &published) { answers.append(published); });
    QTRY_COMPARE(answers.size(), 2);
    for (const EventBus::Published &answer : answers) {
        QVERIFY(!answer.ok());
        QVERIFY2(answer.error.contains(QLatin1String("disk full")), qPrintable(answer.error));
    }
    QCOMPARE(committed.count(), 0);
    QCOMPARE(log->size(), 0);

    EventBus::Published later;
    bus.publish(draft("kept"), [&](const EventBus::Published &published) { later = published; });
    QTRY_VERIFY(!later.event.id.isEmpty());
    QVERIFY(later.ok());
    QCOMPARE(seqOf(later.event.id), quint64(3));
    QCOMPARE(committed.count(), 1);
}

// A publisher that publishes from its answer starts the next transaction, not this one.
void tst_LocalBus::answersMayPublishAgain()
{
    auto owned = std::make_unique<ScriptedLog>();
    ScriptedLog *log = owned.get();
    LocalBus bus(std::move(owned));
    int answered = 0;
    bus.publish(draft("first"), [&](const EventBus::Published &) {
        ++answered;
        bus.publish(draft("second"), [&](const EventBus::Published &published) {
            QVERIFY(published.ok());
            ++answered;
        });
    });
    QTRY_COMPARE(answered, 2);
    QCOMPARE(log->batches, (QList<int>{1, 1}));
}

void tst_LocalBus::flushAnswersWithoutEventLoop()
{
    LocalBus bus(std::make_unique<ScriptedLog>());
    bool answered = false;
    bus.publish(draft("a"), [&](const EventBus::Published &published) { answered = published.ok(); });
    QVERIFY(!answered);
    bus.flush();
    QVERIFY(answered);
    QCOMPARE(bus.pending(), 0);
}

void tst_LocalBus::replayAndHeadAreCommittedOnly()
{
    LocalBus bus(std::make_unique<ScriptedLog>());
    QByteArray first;
    bus.publish(draft("a"), [&](const EventBus::Published &published) { first = published.event.id; });
    bus.flush();
    bus.publish(draft("b"), [](const EventBus::Published &) {});
    // "b" is assigned, not committed: neither the head nor a replay shows it.
    QCOMPARE(bus.head(), first);
    EventLog::Replay replay;
    bus.replay(first, 10, [&](const EventLog::Replay &page) { replay = page; });
    QCOMPARE(replay.status, EventLog::ResumeStatus::Exact);
    QVERIFY(replay.events.isEmpty());
    bus.flush();
    bus.replay(first, 10, [&](const EventLog::Replay &page) { replay = page; });
    QCOMPARE(replay.events.size(), 1);
    QCOMPARE(replay.events.first().data, QByteArray("b"));
    QCOMPARE(bus.head(), replay.events.first().id);
}

// With SQLite, the answer comes only once another connection can read the row.
void tst_LocalBus::sqliteAnswersAfterTheFileHasIt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    LocalBus bus(std::move(opened.log));
    QSqlDatabase reader = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("reader"));
    reader.setDatabaseName(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(reader.open());
    const auto rows = [&reader] {
        QSqlQuery query(reader);
        return query.exec(QStringLiteral("SELECT COUNT(*) FROM events")) && query.next() ? query.value(0).toInt() : -1;
    };
    int rowsWhenAnswered = -1;
    bus.publish(draft("a"), [&](const EventBus::Published &published) {
        QVERIFY(published.ok());
        rowsWhenAnswered = rows();
    });
    QCOMPARE(rows(), 0);
    QTRY_COMPARE(rowsWhenAnswered, 1);
    reader.close();
    reader = {};
    QSqlDatabase::removeDatabase(QStringLiteral("reader"));
}

QTEST_GUILESS_MAIN(tst_LocalBus)
#include "tst_localbus.moc"
