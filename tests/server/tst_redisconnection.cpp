#include "redisconnection.h"
#include "redisprocess.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

RedisConnection::Options optionsFor(quint16 port, int timeoutMs = 2000, const QString &password = {}, int db = 0)
{
    RedisConnection::Options options;
    options.url.host = QStringLiteral("127.0.0.1");
    options.url.port = port;
    options.url.password = password;
    options.url.db = db;
    options.timeoutMs = timeoutMs;
    options.name = QStringLiteral("test");
    return options;
}

// Sends a command and waits for its answer.
RedisReply run(RedisConnection &connection, const QList<QByteArray> &arguments)
{
    std::optional<RedisReply> answer;
    connection.command(arguments, [&answer](const RedisReply &reply) { answer = reply; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        return RedisReply::error("the test waited in vain", true);
    return *answer;
}

} // namespace

// The hiredis adapter against a real redis-server (meant to run under ASan too: every path
// where hiredis frees its context is exercised here).
class tst_RedisConnection final : public QObject
{
    Q_OBJECT

private slots:
    void commandsAndReplies();
    void connectFailureThenRedisComes();
    void unixSocket();
    void wrongPasswordAndSelect();
    void redisKilledWithCommandsPending();
    void stuckRedisTimesOut();
    void closeInsideCallback();
    void destroyedWithCommandsPending();
};

void tst_RedisConnection::commandsAndReplies()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    RedisConnection connection(optionsFor(redis.port()));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QVERIFY(ready.wait(5000));
    QVERIFY(connection.isReady());

    QCOMPARE(run(connection, {"SET", "k", QByteArray("v\0w", 3)}).string, QByteArray("OK"));
    const RedisReply value = run(connection, {"GET", "k"});
    QCOMPARE(value.type, RedisReply::Type::String);
    QCOMPARE(value.string, QByteArray("v\0w", 3));
    QVERIFY(run(connection, {"GET", "missing"}).isNil());
    QCOMPARE(run(connection, {"INCR", "n"}).integer, qint64(1));
    const RedisReply error = run(connection, {"INCR", "k"});
    QVERIFY(error.isError());
    QVERIFY(!error.transport);
    run(connection, {"RPUSH", "l", "a", "b"});
    const RedisReply list = run(connection, {"LRANGE", "l", "0", "-1"});
    QCOMPARE(list.type, RedisReply::Type::Array);
    QCOMPARE(list.elements.size(), 2);
    QCOMPARE(list.elements[1].string, QByteArray("b"));

    // Many in flight at once come back in order.
    QList<qint64> answers;
    for (int i = 0; i < 1000; ++i)
        connection.command({"INCR", "counter"}, [&answers](const RedisReply &reply) { answers.append(reply.integer); });
    QTRY_COMPARE(answers.size(), 1000);
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(answers[i], qint64(i + 1));
}

void tst_RedisConnection::connectFailureThenRedisComes()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    const quint16 port = redis.port();
    redis.kill();
    RedisConnection connection(optionsFor(port));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QTest::qWait(300);
    QCOMPARE(connection.state(), RedisConnection::State::Connecting);
    QVERIFY(!connection.lastError().isEmpty());
    const RedisReply refused = run(connection, {"PING"});
    QVERIFY(refused.isError() && refused.transport);
    QVERIFY2(refused.string.startsWith("redis unavailable"), refused.string.constData());
    QVERIFY(connection.reconnects() >= 1);

    QVERIFY2(redis.start(), redis.output().constData());
    QVERIFY(ready.wait(10000));
    QCOMPARE(run(connection, {"PING"}).string, QByteArray("PONG"));
}

void tst_RedisConnection::unixSocket()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("redis.sock"));
    RedisProcess redis;
    QVERIFY2(redis.start({QStringLiteral("--unixsocket"), path, QStringLiteral("--unixsocketperm"), QStringLiteral("700")}),
             redis.output().constData());
    QString error;
    std::optional<RedisUrl> url = RedisUrl::parse(QStringLiteral("unix://") + path, &error);
    QVERIFY2(url, qPrintable(error));
    RedisConnection::Options options;
    options.url = *url;
    RedisConnection connection(options);
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QVERIFY(ready.wait(5000));
    QCOMPARE(run(connection, {"PING"}).string, QByteArray("PONG"));
}

void tst_RedisConnection::wrongPasswordAndSelect()
{
    RedisProcess redis;
    QVERIFY2(redis.start({QStringLiteral("--requirepass"), QStringLiteral("s3cret")}), redis.output().constData());
    {
        RedisConnection wrong(optionsFor(redis.port(), 2000, QStringLiteral("nope")));
        wrong.open();
        QTRY_VERIFY(wrong.lastError().contains(QLatin1String("AUTH")));
        QVERIFY(!wrong.isReady());
        QVERIFY2(!wrong.lastError().contains(QLatin1String("nope")), qPrintable(wrong.lastError()));
    }
    RedisConnection db3(optionsFor(redis.port(), 2000, QStringLiteral("s3cret"), 3));
    QSignalSpy ready(&db3, &RedisConnection::ready);
    db3.open();
    QVERIFY(ready.wait(5000));
    run(db3, {"SET", "where", "three"});
    RedisConnection db0(optionsFor(redis.port(), 2000, QStringLiteral("s3cret")));
    QSignalSpy ready0(&db0, &RedisConnection::ready);
    db0.open();
    QVERIFY(ready0.wait(5000));
    QVERIFY(run(db0, {"GET", "where"}).isNil());
    QCOMPARE(run(db0, {"SELECT", "3"}).string, QByteArray("OK"));
    QCOMPARE(run(db0, {"GET", "where"}).string, QByteArray("three"));
}

// Redis dies with a blocking read and more commands in flight: each gets a transport error,
// once; the connection comes back by itself when Redis does.
void tst_RedisConnection::redisKilledWithCommandsPending()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    RedisConnection connection(optionsFor(redis.port()));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy lost(&connection, &RedisConnection::lost);
    connection.open();
    QVERIFY(ready.wait(5000));
    QList<RedisReply> answers;
    connection.command({"XREAD", "BLOCK", "5000", "STREAMS", "s", "$"},
                       [&answers](const RedisReply &reply) { answers.append(reply); }, 5000);
    connection.command({"PING"}, [&answers](const RedisReply &reply) { answers.append(reply); });
    QTest::qWait(50);
    redis.kill();
    QTRY_COMPARE(answers.size(), 2);
    for (const RedisReply &answer : answers)
        QVERIFY(answer.isError() && answer.transport);
    QTRY_COMPARE(lost.count(), 1);
    QVERIFY(redis.start());
    QVERIFY(ready.wait(10000));
    QCOMPARE(run(connection, {"PING"}).string, QByteArray("PONG"));
    QCOMPARE(lost.count(), 1);
}

// A Redis that stops answering without closing: the command fails within the timeout and
// the connection is dropped and made again.
void tst_RedisConnection::stuckRedisTimesOut()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    RedisConnection connection(optionsFor(redis.port(), 300));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    QSignalSpy lost(&connection, &RedisConnection::lost);
    connection.open();
    QVERIFY(ready.wait(5000));
    redis.pause();
    const RedisReply late = run(connection, {"PING"});
    QVERIFY(late.isError() && late.transport);
    QVERIFY2(late.string.contains("within 300 ms"), late.string.constData());
    QCOMPARE(lost.count(), 1);
    redis.resume();
    QVERIFY(ready.wait(10000));
    QCOMPARE(run(connection, {"PING"}).string, QByteArray("PONG"));
}

// close() from inside a reply callback, with more replies still to come in the same read:
// hiredis is not freed under its own feet, and the others are answered once.
void tst_RedisConnection::closeInsideCallback()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    RedisConnection connection(optionsFor(redis.port()));
    QSignalSpy ready(&connection, &RedisConnection::ready);
    connection.open();
    QVERIFY(ready.wait(5000));
    int answered = 0;
    connection.command({"PING"}, [&](const RedisReply &) {
        ++answered;
        connection.close();
    });
    for (int i = 0; i < 10; ++i)
        connection.command({"PING"}, [&](const RedisReply &) { ++answered; });
    QTRY_COMPARE(answered, 11);
    QTest::qWait(50);
    QCOMPARE(answered, 11);
    QCOMPARE(connection.state(), RedisConnection::State::Closed);
    connection.open();
    QVERIFY(ready.wait(5000));
    QCOMPARE(run(connection, {"PING"}).string, QByteArray("PONG"));
}

// Destroyed with replies on their way: nobody is called back, nothing touches freed memory.
void tst_RedisConnection::destroyedWithCommandsPending()
{
    RedisProcess redis;
    QVERIFY2(redis.start(), redis.output().constData());
    bool called = false;
    {
        RedisConnection connection(optionsFor(redis.port()));
        QSignalSpy ready(&connection, &RedisConnection::ready);
        connection.open();
        QVERIFY(ready.wait(5000));
        for (int i = 0; i < 100; ++i)
            connection.command({"PING"}, [&called](const RedisReply &) { called = true; });
    }
    QTest::qWait(50);
    QVERIFY(!called);
}

QTEST_GUILESS_MAIN(tst_RedisConnection)
#include "tst_redisconnection.moc"
