#include "commandentry.h"
#include "streamentry.h"

#include <QTest>

namespace {

// An XRANGE entry as Redis answers it: [id, [field, value, ...]].
RedisReply entry(const QByteArray &id, const QByteArrayList &fields)
{
    RedisReply values;
    values.type = RedisReply::Type::Array;
    for (const QByteArray &field : fields) {
        RedisReply text;
        text.type = RedisReply::Type::String;
        text.string = field;
        values.elements.append(text);
    }
    RedisReply idReply;
    idReply.type = RedisReply::Type::String;
    idReply.string = id;
    RedisReply whole;
    whole.type = RedisReply::Type::Array;
    whole.elements = {idReply, values};
    return whole;
}

} // namespace

// The shapes of the cluster's stream entries, and what is refused when another program wrote
// something else.
class tst_StreamEntry final : public QObject
{
    Q_OBJECT

private slots:
    void eventRoundTrip();
    void idsCountFromOne();
    void malformedEventsRefused_data();
    void malformedEventsRefused();
    void commandsRoundTrip();
    void malformedCommandsRefused();
};

void tst_StreamEntry::eventRoundTrip()
{
    Event event;
    event.name = "greet";
    event.data = "line 1\nline 2";
    event.target.users = {QStringLiteral("alice")};
    event.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    QString error;
    const std::optional<StreamEntry> decoded = StreamEntry::decode(entry("1700000000000-4", StreamEntry::fields(event)), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->epochMs, qint64(1700000000000));
    QCOMPARE(decoded->redisSeq, quint64(4));
    QCOMPARE(decoded->event.name, event.name);
    QCOMPARE(decoded->event.data, event.data);
    QCOMPARE(decoded->event.target, event.target);
    QCOMPARE(decoded->event.createdAt, event.createdAt);
    QCOMPARE(decoded->event.id, StreamEntry::epochText(1700000000000) + "-5");
    QVERIFY(decoded->event.frame.contains("data: line 1\ndata: line 2\n"));

    Event plain;
    plain.data = "x";
    plain.createdAt = event.createdAt;
    const std::optional<StreamEntry> broadcast = StreamEntry::decode(entry("1-0", StreamEntry::fields(plain)), &error);
    QVERIFY2(broadcast, qPrintable(error));
    QVERIFY(broadcast->event.target.isBroadcast());
    QVERIFY(broadcast->event.name.isEmpty());
}

void tst_StreamEntry::idsCountFromOne()
{
    // Redis' first entry of an epoch is <ms>-0; "<epoch>-0" is the head of an empty history.
    QCOMPARE(StreamEntry::eventId(36, 0), QByteArray("10-1"));
    QCOMPARE(StreamEntry::redisId(36, 0), QByteArray("36-0"));
    QCOMPARE(StreamEntry::parseId("36-7"), (std::optional<std::pair<qint64, quint64>>{{36, 7}}));
    QVERIFY(!StreamEntry::parseId("x-1"));
    QVERIFY(!StreamEntry::parseId("36"));
}

void tst_StreamEntry::malformedEventsRefused_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArrayList>("fields");

    QTest::addRow("id not ms-n") << QByteArray("abc") << QByteArrayList{"d", "x", "c", "1"};
    QTest::addRow("no data") << QByteArray("1-0") << QByteArrayList{"n", "e", "c", "1"};
    QTest::addRow("no time") << QByteArray("1-0") << QByteArrayList{"d", "x"};
    QTest::addRow("odd field list") << QByteArray("1-0") << QByteArrayList{"d", "x", "c"};
    QTest::addRow("name with a newline") << QByteArray("1-0") << QByteArrayList{"n", "a\nb", "d", "x", "c", "1"};
    QTest::addRow("NUL in data") << QByteArray("1-0") << QByteArrayList{"d", QByteArray("a\0b", 3), "c", "1"};
    QTest::addRow("target not JSON") << QByteArray("1-0") << QByteArrayList{"d", "x", "t", "{", "c", "1"};
    QTest::addRow("target of nobody") << QByteArray("1-0") << QByteArrayList{"d", "x", "t", "{}", "c", "1"};
    QTest::addRow("unknown target field") << QByteArray("1-0")
                                          << QByteArrayList{"d", "x", "t", R"({"teams":["a"]})", "c", "1"};
}

// Never half-read: an entry in another shape is refused with a reason, not delivered.
void tst_StreamEntry::malformedEventsRefused()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArrayList, fields);
    QString error;
    QVERIFY(!StreamEntry::decode(entry(id, fields), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!StreamEntry::decode(RedisReply::error("x"), &error));
}

void tst_StreamEntry::commandsRoundTrip()
{
    EventBus::Command pause;
    pause.kind = EventBus::Command::Kind::Pause;
    pause.delayMs = 9000;
    pause.target.groups = {QStringLiteral("g1")};
    pause.exceptGroups = {QStringLiteral("ops"), QStringLiteral("7")};
    QString error;
    std::optional<CommandEntry> decoded = CommandEntry::decode(entry("5-0", CommandEntry::fields(pause, QStringLiteral("n1"))), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->node, QStringLiteral("n1"));
    QCOMPARE(decoded->command.kind, EventBus::Command::Kind::Pause);
    QCOMPARE(decoded->command.delayMs, 9000);
    QCOMPARE(decoded->command.target, pause.target);
    QCOMPARE(decoded->command.exceptGroups, pause.exceptGroups);

    EventBus::Command everyone;
    everyone.kind = EventBus::Command::Kind::Pause;
    decoded = CommandEntry::decode(entry("5-1", CommandEntry::fields(everyone, QStringLiteral("n1"))), &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(decoded->command.target.isBroadcast());

    EventBus::Command kick;
    kick.kind = EventBus::Command::Kind::Kick;
    kick.connectionId = (quint64(3) << 40) + 9;
    decoded = CommandEntry::decode(entry("5-2", CommandEntry::fields(kick, QStringLiteral("n2"))), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->command.connectionId, kick.connectionId);

    EventBus::Command close;
    close.kind = EventBus::Command::Kind::CloseSession;
    close.sessionId = QStringLiteral("s-1");
    decoded = CommandEntry::decode(entry("5-3", CommandEntry::fields(close, QStringLiteral("n2"))), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->command.sessionId, QStringLiteral("s-1"));
}

void tst_StreamEntry::malformedCommandsRefused()
{
    QString error;
    QVERIFY(!CommandEntry::decode(entry("1-0", {"node", "n", "k", "explode"}), &error));
    QVERIFY(!CommandEntry::decode(entry("1-0", {"node", "n", "k", "kick"}), &error));
    QVERIFY(!CommandEntry::decode(entry("1-0", {"node", "n", "k", "pause", "d", "-1"}), &error));
    QVERIFY(!CommandEntry::decode(entry("1-0", {"node", "n", "k", "close-session"}), &error));
    QVERIFY(!CommandEntry::decode(entry("1-0", {"k", "kick", "c", "1"}), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_StreamEntry)
#include "tst_streamentry.moc"
