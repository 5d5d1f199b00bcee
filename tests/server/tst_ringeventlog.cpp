#include "ringeventlog.h"

#include <QTest>

Q_DECLARE_METATYPE(EventLog::ResumeStatus)

namespace {

const QByteArray epoch = "ep1";

QByteArray idOf(quint64 seq)
{
    return EventId{epoch, seq}.toByteArray();
}

// Ids of the events with sequence numbers first..last ("ep1-first" ... "ep1-last").
QByteArrayList ids(quint64 first, quint64 last)
{
    QByteArrayList out;
    for (quint64 seq = first; seq <= last; ++seq)
        out.append(idOf(seq));
    return out;
}

QByteArrayList idsOf(const QList<Event> &events)
{
    QByteArrayList out;
    for (const Event &event : events)
        out.append(event.id);
    return out;
}

Event draft(const QByteArray &name, const QByteArray &data)
{
    Event event;
    event.name = name;
    event.data = data;
    return event;
}

// A log holding `count` events named "e<seq>" with data "d<seq>".
void fill(RingEventLog &log, int count)
{
    for (int i = 1; i <= count; ++i)
        log.append(draft("e" + QByteArray::number(i), "d" + QByteArray::number(i)));
}

} // namespace

class tst_RingEventLog final : public QObject
{
    Q_OBJECT

private slots:
    void emptyLog();
    void idsIncreaseFromOne();
    void appendKeepsFields();
    void frame_data();
    void frame();
    void capacityTrims_data();
    void capacityTrims();
    void replaySince_data();
    void replaySince();
    void replayedEventsAreTheStoredOnes();
    void recent_data();
    void recent();
    void boundedByBytes();
    void uncommittedIdsLeaveHoles();
};

void tst_RingEventLog::emptyLog()
{
    const RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    QCOMPARE(log.headId(), QByteArray("ep1-0"));
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.capacity(), 10);
    QVERIFY(!log.isPersistent());
    QVERIFY(log.recent(5).isEmpty());
}

void tst_RingEventLog::idsIncreaseFromOne()
{
    RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    for (quint64 seq = 1; seq <= 4; ++seq) {
        const Event stored = log.append(draft("tick", "x"));
        QCOMPARE(stored.id, idOf(seq));
        QCOMPARE(log.headId(), idOf(seq));
        QCOMPARE(log.size(), int(seq));
    }
}

void tst_RingEventLog::appendKeepsFields()
{
    RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    Event in = draft("greet", "hello");
    in.target.users = QStringList{QStringLiteral("alice")};
    in.target.groups = QStringList{QStringLiteral("ops")};
    const QDateTime created = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    in.createdAt = created;

    const Event out = log.append(in);
    QCOMPARE(out.name, QByteArray("greet"));
    QCOMPARE(out.data, QByteArray("hello"));
    QCOMPARE(out.target, in.target);
    QCOMPARE(out.createdAt, created);

    // A draft without a time gets the time of appending.
    const QDateTime before = QDateTime::currentDateTimeUtc();
    const Event stamped = log.append(draft({}, "x"));
    QVERIFY(stamped.createdAt.isValid());
    QVERIFY(stamped.createdAt >= before);
    QVERIFY(stamped.createdAt <= QDateTime::currentDateTimeUtc());

    const QList<Event> kept = log.recent(2);
    QCOMPARE(kept.size(), 2);
    QCOMPARE(kept.first().target, in.target);
    QCOMPARE(kept.first().frame, out.frame);
}

void tst_RingEventLog::frame_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("frame");

    QTest::addRow("named event") << QByteArray("greet") << QByteArray("hello")
                                 << QByteArray("id: ep1-1\nevent: greet\ndata: hello\n\n");
    QTest::addRow("plain message has no event line") << QByteArray() << QByteArray("hello")
                                                     << QByteArray("id: ep1-1\ndata: hello\n\n");
    QTest::addRow("empty data") << QByteArray("ping") << QByteArray()
                                << QByteArray("id: ep1-1\nevent: ping\ndata: \n\n");
    QTest::addRow("multi-line data") << QByteArray("m") << QByteArray("a\nb\r\nc")
                                     << QByteArray("id: ep1-1\nevent: m\ndata: a\ndata: b\ndata: c\n\n");
    QTest::addRow("JSON data") << QByteArray() << QByteArray(R"({"k":[1,2]})")
                               << QByteArray("id: ep1-1\ndata: {\"k\":[1,2]}\n\n");
}

void tst_RingEventLog::frame()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, frame);

    RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    QCOMPARE(log.append(draft(name, data)).frame, frame);
}

void tst_RingEventLog::capacityTrims_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<QByteArrayList>("kept");

    QTest::addRow("under capacity") << 5 << 3 << ids(1, 3);
    QTest::addRow("at capacity") << 3 << 3 << ids(1, 3);
    QTest::addRow("one over") << 3 << 4 << ids(2, 4);
    QTest::addRow("far over") << 3 << 10 << ids(8, 10);
    QTest::addRow("capacity one") << 1 << 5 << ids(5, 5);
    QTest::addRow("capacity zero keeps nothing") << 0 << 5 << QByteArrayList();
    QTest::addRow("negative capacity keeps nothing") << -3 << 2 << QByteArrayList();
}

void tst_RingEventLog::capacityTrims()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    QFETCH(QByteArrayList, kept);

    RingEventLog log(capacity, RingEventLog::defaultMaxBytes, epoch);
    fill(log, appended);
    QCOMPARE(log.capacity(), qMax(0, capacity));
    QCOMPARE(log.size(), kept.size());
    QCOMPARE(idsOf(log.recent(appended + 1)), kept);
    // Trimming drops events, never ids: the head keeps counting.
    QCOMPARE(log.headId(), idOf(quint64(appended)));
}

void tst_RingEventLog::replaySince_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<QByteArray>("lastEventId");
    QTest::addColumn<EventLog::ResumeStatus>("status");
    QTest::addColumn<QByteArrayList>("replayed");

    using S = EventLog::ResumeStatus;
    const QByteArrayList none;

    QTest::addRow("exact from 0") << 10 << 5 << QByteArray("ep1-0") << S::Exact << ids(1, 5);
    QTest::addRow("exact from the middle") << 10 << 5 << QByteArray("ep1-2") << S::Exact << ids(3, 5);
    QTest::addRow("exact from one before head") << 10 << 5 << QByteArray("ep1-4") << S::Exact << ids(5, 5);
    QTest::addRow("exact from head replays none") << 10 << 5 << QByteArray("ep1-5") << S::Exact << none;
    QTest::addRow("exact from 0 on an empty log") << 10 << 0 << QByteArray("ep1-0") << S::Exact << none;
    QTest::addRow("exact from the oldest kept's predecessor")
        << 3 << 5 << QByteArray("ep1-2") << S::Exact << ids(3, 5);
    QTest::addRow("exact from the oldest kept") << 3 << 5 << QByteArray("ep1-3") << S::Exact << ids(4, 5);
    QTest::addRow("too old by one") << 3 << 5 << QByteArray("ep1-1") << S::TooOld << ids(3, 5);
    QTest::addRow("too old from 0") << 3 << 5 << QByteArray("ep1-0") << S::TooOld << ids(3, 5);
    QTest::addRow("unknown garbage") << 10 << 3 << QByteArray("garbage") << S::Unknown << ids(1, 3);
    QTest::addRow("unknown empty id") << 10 << 3 << QByteArray() << S::Unknown << ids(1, 3);
    QTest::addRow("unknown other epoch") << 10 << 3 << QByteArray("ep2-1") << S::Unknown << ids(1, 3);
    QTest::addRow("unknown epoch prefix") << 10 << 3 << QByteArray("ep-1") << S::Unknown << ids(1, 3);
    QTest::addRow("unknown future seq") << 10 << 3 << QByteArray("ep1-4") << S::Unknown << ids(1, 3);
    QTest::addRow("unknown huge seq") << 10 << 3 << QByteArray("ep1-18446744073709551615")
                                      << S::Unknown << ids(1, 3);
    QTest::addRow("unknown seq on an empty log") << 10 << 0 << QByteArray("ep1-1") << S::Unknown << none;
    QTest::addRow("unknown uppercase epoch") << 10 << 3 << QByteArray("EP1-1") << S::Unknown << ids(1, 3);
    QTest::addRow("capacity 0 from head") << 0 << 5 << QByteArray("ep1-5") << S::Exact << none;
    QTest::addRow("capacity 0 from before head") << 0 << 5 << QByteArray("ep1-4") << S::TooOld << none;
    QTest::addRow("capacity 0 from 0") << 0 << 5 << QByteArray("ep1-0") << S::TooOld << none;
    QTest::addRow("capacity 0 empty log from 0") << 0 << 0 << QByteArray("ep1-0") << S::Exact << none;
    QTest::addRow("capacity 0 unknown") << 0 << 5 << QByteArray("ep1-6") << S::Unknown << none;
}

void tst_RingEventLog::replaySince()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    QFETCH(QByteArray, lastEventId);
    QFETCH(EventLog::ResumeStatus, status);
    QFETCH(QByteArrayList, replayed);

    RingEventLog log(capacity, RingEventLog::defaultMaxBytes, epoch);
    fill(log, appended);
    const EventLog::Replay replay = log.replaySince(lastEventId);
    QCOMPARE(replay.status, status);
    QCOMPARE(idsOf(replay.events), replayed);
}

void tst_RingEventLog::replayedEventsAreTheStoredOnes()
{
    RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    fill(log, 3);
    const QList<Event> events = log.replaySince("ep1-1").events;
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).name, QByteArray("e2"));
    QCOMPARE(events.at(0).data, QByteArray("d2"));
    QCOMPARE(events.at(0).frame, QByteArray("id: ep1-2\nevent: e2\ndata: d2\n\n"));
    QCOMPARE(events.at(1).name, QByteArray("e3"));
    QCOMPARE(events.at(1).data, QByteArray("d3"));
}

void tst_RingEventLog::recent_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<int>("count");
    QTest::addColumn<QByteArrayList>("expected");

    QTest::addRow("none asked") << 10 << 5 << 0 << QByteArrayList();
    QTest::addRow("negative count") << 10 << 5 << -1 << QByteArrayList();
    QTest::addRow("newest two, oldest first") << 10 << 5 << 2 << ids(4, 5);
    QTest::addRow("exactly all") << 10 << 5 << 5 << ids(1, 5);
    QTest::addRow("more than held") << 10 << 5 << 50 << ids(1, 5);
    QTest::addRow("after trimming") << 3 << 5 << 10 << ids(3, 5);
    QTest::addRow("empty log") << 10 << 0 << 3 << QByteArrayList();
}

void tst_RingEventLog::recent()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    QFETCH(int, count);
    QFETCH(QByteArrayList, expected);

    RingEventLog log(capacity, RingEventLog::defaultMaxBytes, epoch);
    fill(log, appended);
    QCOMPARE(idsOf(log.recent(count)), expected);
}

// The oldest events go once their memory passes the bound; a resume from one of them is too
// old, one from the oldest kept is exact. One event larger than the bound is not kept.
void tst_RingEventLog::boundedByBytes()
{
    const QByteArray epoch = "b0";
    const QByteArray data(1000, 'x');
    // What one event with a two-digit id takes (ids 10 to 99).
    RingEventLog probe(1, RingEventLog::defaultMaxBytes, epoch);
    Event sample;
    for (int i = 0; i < 10; ++i)
        sample = probe.assign(draft("big", data));
    const qint64 perEvent = RingEventLog::footprint(sample);
    RingEventLog log(1000, 5 * perEvent + perEvent / 2, epoch);
    for (int i = 0; i < 20; ++i)
        log.append(draft("big", data));
    QCOMPARE(log.size(), 5);
    QCOMPARE(log.bytes(), 5 * perEvent);
    QVERIFY(log.bytes() <= log.maxBytes());
    const QByteArrayList kept = idsOf(log.recent(100));
    QCOMPARE(kept.first(), (EventId{epoch, 16}.toByteArray()));

    const EventLog::Replay tooOld = log.replaySince(EventId{epoch, 14}.toByteArray());
    QCOMPARE(tooOld.status, EventLog::ResumeStatus::TooOld);
    QCOMPARE(idsOf(tooOld.events), kept);
    const EventLog::Replay exact = log.replaySince(EventId{epoch, 15}.toByteArray());
    QCOMPARE(exact.status, EventLog::ResumeStatus::Exact);
    QCOMPARE(idsOf(exact.events), kept);

    log.append(draft("huge", QByteArray(int(6 * perEvent), 'y')));
    QCOMPARE(log.size(), 0);
    QCOMPARE(log.bytes(), 0);
    QCOMPARE(log.replaySince(EventId{epoch, 20}.toByteArray()).status, EventLog::ResumeStatus::TooOld);
}

// An id assigned but never committed (a failed store) is skipped for good: later ids are
// higher, replays step over the hole, and the head is the newest committed id.
void tst_RingEventLog::uncommittedIdsLeaveHoles()
{
    const QByteArray epoch = "h0";
    RingEventLog log(10, RingEventLog::defaultMaxBytes, epoch);
    const Event first = log.append(draft("a", "1"));
    const Event lost = log.assign(draft("b", "2"));
    QCOMPARE(log.headId(), first.id);
    QCOMPARE(log.size(), 1);
    const Event third = log.append(draft("c", "3"));
    QCOMPARE(third.id, (EventId{epoch, 3}.toByteArray()));
    QCOMPARE(log.headId(), third.id);
    QCOMPARE(idsOf(log.replaySince(first.id).events), QByteArrayList{third.id});
    const EventLog::Replay fromHole = log.replaySince(lost.id);
    QCOMPARE(fromHole.status, EventLog::ResumeStatus::Exact);
    QCOMPARE(idsOf(fromHole.events), QByteArrayList{third.id});
}

QTEST_GUILESS_MAIN(tst_RingEventLog)
#include "tst_ringeventlog.moc"
