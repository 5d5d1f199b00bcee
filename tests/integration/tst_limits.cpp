#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

void verifyJsonError(const HttpResponse &response)
{
    QVERIFY2(response.header("Content-Type").startsWith("application/json"),
             response.header("Content-Type").constData());
    QVERIFY2(response.json().object().value(u"error"_s).isString(), response.body.constData());
}

// Reads from the socket until the peer closes it or the deadline passes.
struct Drained
{
    QByteArray bytes;
    bool closed = false;
};

Drained drainUntilClosed(QTcpSocket &socket)
{
    Drained result;
    HttpClient::readUntil(socket, result.bytes, [] { return false; });
    result.closed = socket.state() != QAbstractSocket::ConnectedState;
    return result;
}

struct Exit
{
    int code = -1; // -1: crashed or still running at the deadline
    QByteArray out;
    QByteArray err;
};

// Runs the server expecting it to exit (help, or a refused configuration).
Exit runToExit(const QStringList &arguments, const QProcessEnvironment &environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(ServerProcess::binary(), arguments);
    Exit result;
    if (!process.waitForFinished(10000)) {
        process.kill();
        process.waitForFinished(5000);
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    if (process.exitStatus() == QProcess::NormalExit)
        result.code = process.exitCode();
    return result;
}

// The environment of the test without any EVENTSOURCE_ setting it may have inherited.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : environment.keys()) {
        if (name.startsWith(QLatin1String("EVENTSOURCE_")))
            environment.remove(name);
    }
    return environment;
}

// Writes a config file into the directory; returns its path.
QString writeConfig(const QTemporaryDir &dir, const QByteArray &contents)
{
    QFile file(dir.filePath(u"config.json"_s));
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        return {};
    return file.fileName();
}

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private slots:
    void maxConnections();
    void slowConsumerDropped_data();
    void slowConsumerDropped();
    void headerTooLarge();
    void requestTimeout_data();
    void requestTimeout();
    void bodyTooLarge_data();
    void bodyTooLarge();
    void helpListsFlags_data();
    void helpListsFlags();
    void refusesBadConfig_data();
    void refusesBadConfig();
    void precedence_data();
    void precedence();
    void customPath();
    void broadcastToFifty();
};

void TestLimits::maxConnections()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-connections"_s, u"3"_s}), server.output().constData());
    std::vector<std::unique_ptr<SseClient>> streams;
    for (int i = 0; i < 3; ++i) {
        streams.push_back(std::make_unique<SseClient>());
        QVERIFY(streams.back()->open(server.publicPort(), "/eventsource"));
        QCOMPARE(streams.back()->status(), 200);
    }
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 3));

    const HttpResponse refused = HttpClient::request(server.publicPort(), "GET", "/eventsource", {},
                                                     {{"Accept", "text/event-stream"}}, 5000);
    QCOMPARE(refused.status, 503);
    bool isNumber = false;
    QVERIFY(refused.header("Retry-After").toInt(&isNumber) > 0 && isNumber);
    verifyJsonError(refused);
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "max_connections"), 1);
    QCOMPARE(AdminApi::stats(server.adminPort()).value(u"connectionsRejected"_s).toInteger(-1), 1);
    for (const auto &stream : streams)
        QVERIFY(!stream->isClosed());

    streams.front()->close();
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 2));
    SseClient again;
    QVERIFY(again.open(server.publicPort(), "/eventsource"));
    QCOMPARE(again.status(), 200);
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 3));
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "max_connections"), 1);
}

void TestLimits::slowConsumerDropped_data()
{
    QTest::addColumn<int>("eventKb");
    // Events as large as the whole buffer budget, and events well below it.
    QTest::addRow("64 KB events") << 64;
    QTest::addRow("16 KB events") << 16;
}

void TestLimits::slowConsumerDropped()
{
    QFETCH(int, eventKb);
    ServerProcess server;
    QVERIFY2(server.start({u"--max-buffer-kb"_s, u"64"_s, u"--max-event-kb"_s,
                           u"64"_s}),
             server.output().constData());
    SseClient reader;
    QVERIFY(reader.open(server.publicPort(), "/eventsource"));
    QCOMPARE(reader.status(), 200);

    // Never read: with a tiny receive buffer the kernel fills up soon and the server's own
    // write buffer grows.
    QTcpSocket slow;
    slow.setReadBufferSize(1);
    slow.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    slow.connectToHost(u"127.0.0.1"_s, server.publicPort());
    slow.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QVERIFY(slow.waitForConnected(5000));
    slow.write("GET /eventsource HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    QVERIFY(slow.waitForBytesWritten(5000));
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 2));

    const QByteArray data(eventKb * 1024, 'x');
    QStringList ids;
    qint64 dropped = 0;
    const int maxPushes = 400 * 64 / eventKb; // the same number of bytes for every size
    for (int i = 0; i < maxPushes && dropped == 0; ++i) {
        const AdminApi::Pushed pushed = AdminApi::push(server.adminPort(), "{\"data\":\"" + data + "\"}");
        QCOMPARE(pushed.status, 200);
        ids.append(pushed.id);
        // The reading stream keeps up, so only the other one falls behind.
        QVERIFY2(reader.waitForMessages(int(ids.size())),
                 qPrintable(u"the reading stream lost push %1; stats: %2"_s
                                .arg(i + 1)
                                .arg(QString::fromUtf8(QJsonDocument(AdminApi::stats(server.adminPort())).toJson(QJsonDocument::Compact)))));
        dropped = AdminApi::stats(server.adminPort()).value(u"droppedSlowConsumers"_s).toInteger(-1);
    }
    QCOMPARE(dropped, 1);
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "buffer"), 1);
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 1));

    QVERIFY(!reader.isClosed());
    QCOMPARE(reader.messages().size(), ids.size());
    for (qsizetype i = 0; i < ids.size(); ++i) {
        QCOMPARE(reader.messages()[i].lastEventId, ids[i]);
        QCOMPARE(reader.messages()[i].data.size(), data.size());
    }
}

void TestLimits::headerTooLarge()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--max-header-kb"_s, u"1"_s}), server.output().constData());

    // Below the budget the stream opens, so the refusal below is about size.
    SseClient small;
    QVERIFY(small.open(server.publicPort(), "/eventsource", {{"X-Padding", QByteArray(500, 'a')}}));
    QCOMPARE(small.status(), 200);

    const HttpResponse response = HttpClient::request(server.publicPort(), "GET", "/eventsource", {},
                                                      {{"X-Padding", QByteArray(4096, 'a')}});
    QCOMPARE(response.status, 431);
    verifyJsonError(response);
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "header_size"), 1);
}

void TestLimits::requestTimeout_data()
{
    QTest::addColumn<bool>("admin");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expected"); // the start of what the server sends before closing
    QTest::addColumn<int>("timeouts");        // limit="request_timeout" afterwards

    QTest::addRow("half a request line") << false << QByteArray("GET /eventsource HT") << QByteArray("HTTP/1.1 408 ") << 1;
    QTest::addRow("head without its blank line")
        << false << QByteArray("GET /eventsource HTTP/1.1\r\nHost: 127.0.0.1\r\n") << QByteArray("HTTP/1.1 408 ") << 1;
    QTest::addRow("body cut short")
        << true
        << "POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + HttpClient::adminAuthorization()
               + "\r\nContent-Length: 20\r\n\r\n{\"data\":"
        << QByteArray("HTTP/1.1 408 ") << 1;
    QTest::addRow("idle, nothing sent") << false << QByteArray() << QByteArray() << 0;
}

void TestLimits::requestTimeout()
{
    QFETCH(bool, admin);
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expected);
    QFETCH(int, timeouts);

    ServerProcess server;
    QVERIFY2(server.start({u"--request-timeout-ms"_s, u"300"_s}), server.output().constData());
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, admin ? server.adminPort() : server.publicPort());
    QVERIFY(socket.waitForConnected(5000));
    if (!bytes.isEmpty()) {
        socket.write(bytes);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    const Drained drained = drainUntilClosed(socket);
    QVERIFY2(drained.closed, drained.bytes.constData());
    if (expected.isEmpty()) {
        QCOMPARE(drained.bytes, QByteArray());
    } else {
        QVERIFY2(drained.bytes.startsWith(expected), drained.bytes.constData());
        verifyJsonError(HttpClient::parse(drained.bytes));
    }
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "request_timeout"), timeouts);
}

void TestLimits::bodyTooLarge_data()
{
    QTest::addColumn<bool>("admin");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<qint64>("length");

    QTest::addRow("admin push, 10 MB announced") << true << QByteArray("/api/push") << qint64(10 * 1024 * 1024);
    QTest::addRow("admin push, 1 GB announced") << true << QByteArray("/api/push") << qint64(1) * 1024 * 1024 * 1024;
    QTest::addRow("public POST, 10 MB announced") << false << QByteArray("/eventsource") << qint64(10 * 1024 * 1024);
}

void TestLimits::bodyTooLarge()
{
    QFETCH(bool, admin);
    QFETCH(QByteArray, target);
    QFETCH(qint64, length);

    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    // Only the head is sent: the Content-Length alone must be enough to refuse.
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, admin ? server.adminPort() : server.publicPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                 + HttpClient::adminAuthorization() + "\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(length) + "\r\n\r\n");
    const Drained drained = drainUntilClosed(socket);
    const HttpResponse response = HttpClient::parse(drained.bytes);
    QCOMPARE(response.status, 413);
    verifyJsonError(response);
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "body_size"), 1);
    QCOMPARE(AdminApi::stats(server.adminPort()).value(u"eventsPublished"_s).toInteger(-1), 0);
}

void TestLimits::helpListsFlags_data()
{
    QTest::addColumn<QString>("flag");
    // DESIGN.md's fixed list.
    for (const char *flag : {"config", "listen", "admin-listen", "admin-token", "data-dir", "path", "allow-origin",
                             "heartbeat-ms", "retry-ms", "history-size", "max-connections", "max-buffer-kb",
                             "max-event-kb", "jwt-secret", "allow-query-token", "users"})
        QTest::addRow("--%s", flag) << QString::fromLatin1(flag);
}

void TestLimits::helpListsFlags()
{
    QFETCH(QString, flag);

    const Exit help = runToExit({u"--help"_s}, cleanEnvironment());
    QCOMPARE(help.code, 0);
    const QString text = QString::fromUtf8(help.out);
    if (!text.contains(u"--"_s + flag + u' ')) {
        // Not listed: only acceptable if the server does not know the flag at all.
        const Exit tried = runToExit({u"--"_s + flag, u"x"_s, u"--help"_s},
                                     cleanEnvironment());
        QVERIFY2(tried.code == 2, qPrintable(u"--%1 is accepted but missing from --help"_s.arg(flag)));
        QSKIP(qPrintable(u"this server has no --%1"_s.arg(flag)));
    }
}

void TestLimits::refusesBadConfig_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("configFile"); // written and passed with --config when not null
    QTest::addColumn<QString>("environment");   // NAME=value, or empty
    QTest::addColumn<QString>("named");         // what the message on stderr must name

    const QList<std::tuple<const char *, QStringList, QByteArray, QString, QString>> rows{
        {"--retry-ms abc", {"--retry-ms", "abc"}, {}, {}, "retry-ms"},
        {"--retry-ms -5", {"--retry-ms", "-5"}, {}, {}, "retry-ms"},
        {"--listen nope", {"--listen", "nope"}, {}, {}, "listen"},
        {"--listen port too big", {"--listen", "127.0.0.1:70000"}, {}, {}, "listen"},
        {"--max-connections 0", {"--max-connections", "0"}, {}, {}, "max-connections"},
        {"--path without slash", {"--path", "events"}, {}, {}, "path"},
        {"unknown flag", {"--no-such-flag"}, {}, {}, "no-such-flag"},
        {"env EVENTSOURCE_RETRY_MS=abc", {}, {}, "EVENTSOURCE_RETRY_MS=abc", "retry-ms"},
        {"config file not JSON", {}, "retry-ms = 5", {}, "config"},
        {"config file is an array", {}, "[1]", {}, "config"},
        {"config file unknown key", {}, R"({"no-such-key": 1})", {}, "no-such-key"},
        {"config file bad value", {}, R"({"max-connections": "many"})", {}, "max-connections"},
        {"missing config file", {"--config", "/nonexistent/eventsource.json"}, {}, {}, "config"}};
    for (const auto &[name, arguments, configFile, environment, named] : rows)
        QTest::addRow("%s", name) << arguments << configFile << environment << named;
}

void TestLimits::refusesBadConfig()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, configFile);
    QFETCH(QString, environment);
    QFETCH(QString, named);

    // Valid listeners first, so a bad value that were accepted would start a server (and
    // be caught as "did not exit").
    QStringList all{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--admin-token", "t"};
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (!configFile.isNull()) {
        all << u"--config"_s << writeConfig(dir, configFile);
        QVERIFY(!all.last().isEmpty());
    }
    all += arguments;
    QProcessEnvironment processEnvironment = cleanEnvironment();
    if (!environment.isEmpty())
        processEnvironment.insert(environment.section(u'=', 0, 0), environment.section(u'=', 1));

    const Exit exit = runToExit(all, processEnvironment);
    QCOMPARE(exit.code, 2);
    const QString message = QString::fromUtf8(exit.err).trimmed();
    QVERIFY2(message.contains(named), qPrintable(message));
    QVERIFY2(!message.contains(u'\n'), qPrintable(message));
    QVERIFY2(!exit.out.contains("ready"), exit.out.constData());
}

void TestLimits::precedence_data()
{
    QTest::addColumn<bool>("file");
    QTest::addColumn<bool>("env");
    QTest::addColumn<bool>("flag");
    QTest::addColumn<int>("retry");

    QTest::addRow("default") << false << false << false << 3000;
    QTest::addRow("file") << true << false << false << 1111;
    QTest::addRow("env") << false << true << false << 2222;
    QTest::addRow("env over file") << true << true << false << 2222;
    QTest::addRow("flag over file") << true << false << true << 3333;
    QTest::addRow("flag over env and file") << true << true << true << 3333;
}

void TestLimits::precedence()
{
    QFETCH(bool, file);
    QFETCH(bool, env);
    QFETCH(bool, flag);
    QFETCH(int, retry);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList arguments;
    if (file) {
        arguments << u"--config"_s << writeConfig(dir, R"({"retry-ms": 1111})");
        QVERIFY(!arguments.last().isEmpty());
    }
    QProcessEnvironment environment = cleanEnvironment();
    if (env)
        environment.insert(u"EVENTSOURCE_RETRY_MS"_s, u"2222"_s);
    if (flag)
        arguments << u"--retry-ms"_s << u"3333"_s;

    ServerProcess server;
    QVERIFY2(server.start(arguments, environment), server.output().constData());
    SseClient client;
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
    QVERIFY(client.waitForBody("\n\n"));
    QVERIFY2(client.body().startsWith("retry: " + QByteArray::number(retry) + "\n\n"), client.body().constData());
    QCOMPARE(client.parser().retryMs(), qint64(retry));
}

void TestLimits::customPath()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--path"_s, u"/events"_s}), server.output().constData());

    const HttpResponse old = HttpClient::request(server.publicPort(), "GET", "/eventsource", {}, {}, 5000);
    QCOMPARE(old.status, 404);
    verifyJsonError(old);

    SseClient moved;
    QVERIFY(moved.open(server.publicPort(), "/events"));
    QCOMPARE(moved.status(), 200);
    QVERIFY(moved.header("Content-Type").startsWith("text/event-stream"));
    SseClient filtered;
    QVERIFY(filtered.open(server.publicPort(), "/events/news"));
    QCOMPARE(filtered.status(), 200);
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 2));

    const AdminApi::Pushed pushed = AdminApi::push(server.adminPort(), R"({"event":"news","data":"moved"})");
    QCOMPARE(pushed.delivered, 2);
    QVERIFY(moved.waitForMessages(1));
    QVERIFY(filtered.waitForMessages(1));
    QCOMPARE(filtered.messages().first().data, u"moved"_s);
}

void TestLimits::broadcastToFifty()
{
    constexpr int count = 50;
    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    std::vector<std::unique_ptr<SseClient>> streams;
    for (int i = 0; i < count; ++i) {
        streams.push_back(std::make_unique<SseClient>());
        QVERIFY2(streams.back()->open(server.publicPort(), "/eventsource"), qPrintable(QString::number(i)));
        QCOMPARE(streams.back()->status(), 200);
    }
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, count));

    const AdminApi::Pushed pushed = AdminApi::push(server.adminPort(), R"({"event":"all","data":"to everyone"})");
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.delivered, count);
    const QString id = pushed.id;
    for (int i = 0; i < count; ++i) {
        SseClient &stream = *streams[size_t(i)];
        QVERIFY2(stream.waitForMessages(1), qPrintable(QString::number(i)));
        QCOMPARE(stream.messages().size(), 1);
        QCOMPARE(stream.messages().first().type, u"all"_s);
        QCOMPARE(stream.messages().first().data, u"to everyone"_s);
        QCOMPARE(stream.messages().first().lastEventId, id);
    }
    QCOMPARE(AdminApi::stats(server.adminPort()).value(u"deliveries"_s).toInteger(-1), count);
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
