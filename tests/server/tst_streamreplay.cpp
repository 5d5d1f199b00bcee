#include "streamentry.h"
#include "streamreplay.h"

#include <QTest>

namespace {

constexpr qint64 epochMs = 1700000000000;

RedisReply text(const QByteArray &value)
{
    RedisReply reply;
    reply.type = RedisReply::Type::String;
    reply.string = value;
    return reply;
}

RedisReply array(const QList<RedisReply> &elements)
{
    RedisReply reply;
    reply.type = RedisReply::Type::Array;
    reply.elements = elements;
    return reply;
}

// A stream entry of Redis seq n in an epoch, data "e<n>".
RedisReply entry(quint64 seq, qint64 epoch = epochMs)
{
    Event event;
    event.data = "e" + QByteArray::number(seq);
    event.createdAt = QDateTime::fromMSecsSinceEpoch(1, Qt::UTC);
    QList<RedisReply> fields;
    for (const QByteArray &field : StreamEntry::fields(event))
        fields.append(text(field));
    return array({text(StreamEntry::redisId(epoch, seq)), array(fields)});
}

// The replay script's answer: [[newest entry]], [page...].
RedisReply answer(std::optional<quint64> newest, const QList<RedisReply> &page)
{
    return array({newest ? array({entry(*newest)}) : array({}), array(page)});
}

QByteArray ourId(quint64 seq)
{
    return StreamEntry::epochText(epochMs) + '-' + QByteArray::number(seq);
}

QByteArrayList dataOf(const EventLog::Replay &replay)
{
    QByteArrayList out;
    for (const Event &event : replay.events)
        out.append(event.data);
    return out;
}

} // namespace

// Resuming from the cluster's stream, without Redis: the page's start and what an answer
// means. Our event seq n is Redis seq n - 1.
class tst_StreamReplay final : public QObject
{
    Q_OBJECT

private slots:
    void start();
    void exact();
    void tooOld();
    void pastTheNewestIsUnknown();
    void otherEpochIsUnknown();
    void notPastWhatThisNodeRead();
    void foreignEntriesSkipped();
};

void tst_StreamReplay::start()
{
    QCOMPARE(StreamReplay(ourId(0), epochMs, std::nullopt, 10).start(), StreamEntry::redisId(epochMs, 0));
    QCOMPARE(StreamReplay(ourId(3), epochMs, 5, 10).start(), "(" + StreamEntry::redisId(epochMs, 2));
    QCOMPARE(StreamReplay("elsewhere-3", epochMs, 5, 10).start(), QByteArray("-"));
    QCOMPARE(StreamReplay({}, epochMs, 5, 10).start(), QByteArray("-"));
    QCOMPARE(StreamReplay({}, epochMs, 5, 0).count(), 1);
}

void tst_StreamReplay::exact()
{
    const StreamReplay page(ourId(2), epochMs, 3, 10);
    const std::optional<EventLog::Replay> replay = page.interpret(answer(3, {entry(2), entry(3)}));
    QVERIFY(replay);
    QCOMPARE(replay->status, EventLog::ResumeStatus::Exact);
    QCOMPARE(dataOf(*replay), (QByteArrayList{"e2", "e3"}));
    QCOMPARE(replay->events.first().id, ourId(3));
    QVERIFY(replay->complete);
    // A full page: more may follow.
    const StreamReplay full(ourId(2), epochMs, 3, 2);
    QVERIFY(!full.interpret(answer(3, {entry(2), entry(3)}))->complete);
}

void tst_StreamReplay::tooOld()
{
    const std::optional<EventLog::Replay> replay = StreamReplay(ourId(2), epochMs, 9, 10).interpret(answer(9, {entry(5), entry(6)}));
    QVERIFY(replay);
    QCOMPARE(replay->status, EventLog::ResumeStatus::TooOld);
    QCOMPARE(dataOf(*replay), (QByteArrayList{"e5", "e6"}));
}

void tst_StreamReplay::pastTheNewestIsUnknown()
{
    QVERIFY(!StreamReplay(ourId(99), epochMs, 3, 10).interpret(answer(3, {})));
    QVERIFY(!StreamReplay(ourId(1), epochMs, std::nullopt, 10).interpret(answer(std::nullopt, {})));
    // The head itself is exact, with nothing to replay.
    const std::optional<EventLog::Replay> head = StreamReplay(ourId(4), epochMs, 3, 10).interpret(answer(3, {}));
    QVERIFY(head);
    QCOMPARE(head->status, EventLog::ResumeStatus::Exact);
    QVERIFY(head->events.isEmpty());
}

void tst_StreamReplay::otherEpochIsUnknown()
{
    const std::optional<EventLog::Replay> replay = StreamReplay("elsewhere-3", epochMs, 1, 10).interpret(answer(1, {entry(0), entry(1)}));
    QVERIFY(replay);
    QCOMPARE(replay->status, EventLog::ResumeStatus::Unknown);
    QCOMPARE(dataOf(*replay), (QByteArrayList{"e0", "e1"}));
    QCOMPARE(StreamReplay({}, epochMs, 1, 10).interpret(RedisReply::error("WRONGTYPE"))->status,
             EventLog::ResumeStatus::Unknown);
}

// What the node's reader has not read yet comes live, not in the replay (else twice).
void tst_StreamReplay::notPastWhatThisNodeRead()
{
    const std::optional<EventLog::Replay> replay = StreamReplay(ourId(1), epochMs, 1, 2).interpret(answer(3, {entry(1), entry(2)}));
    QVERIFY(replay);
    QCOMPARE(dataOf(*replay), QByteArrayList{"e1"});
    QVERIFY(replay->complete);
    const std::optional<EventLog::Replay> none = StreamReplay(ourId(0), epochMs, std::nullopt, 10).interpret(answer(0, {entry(0)}));
    QVERIFY(none);
    QVERIFY(none->events.isEmpty());
    QVERIFY(none->complete);
}

void tst_StreamReplay::foreignEntriesSkipped()
{
    const RedisReply junk = array({text(StreamEntry::redisId(epochMs, 3)), array({text("foo"), text("bar")})});
    const std::optional<EventLog::Replay> replay =
        StreamReplay(ourId(2), epochMs, 5, 10).interpret(answer(5, {entry(2), junk, entry(4), entry(9, epochMs - 1)}));
    QVERIFY(replay);
    QCOMPARE(replay->status, EventLog::ResumeStatus::Exact);
    QCOMPARE(dataOf(*replay), (QByteArrayList{"e2", "e4"}));
}

QTEST_GUILESS_MAIN(tst_StreamReplay)
#include "tst_streamreplay.moc"
