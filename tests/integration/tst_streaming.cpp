#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

// The public SSE endpoint of the real server: headers, framing, filters, CORS, refusals.
namespace {

constexpr int retryMs = 1234;
const QByteArray allowedOrigin = "http://allowed.example";

using Pushed = AdminApi::Pushed;

// Reads the socket into buffer until it holds needle or the deadline passes.
bool readUntil(QTcpSocket &socket, QByteArray &buffer, const QByteArray &needle)
{
    return HttpClient::readUntil(socket, buffer, [&] { return buffer.contains(needle); });
}

} // namespace

class tst_Streaming final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void responseHeaders();
    void retryComesFirst();
    void pushReachesStream_data();
    void pushReachesStream();
    void filters_data();
    void filters();
    void deliveredCountsMatchingStreams_data();
    void deliveredCountsMatchingStreams();
    void heartbeat();
    void initialPadding();
    void cors_data();
    void cors();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void notFound_data();
    void notFound();
    void filterNames_data();
    void filterNames();
    void pipelinedRequestIsDiscarded();
    void ordering();

private:
    int connectionCount() { return AdminApi::connections(m_server.adminPort()); }

    ServerProcess m_server;
};

void tst_Streaming::initTestCase()
{
    QVERIFY2(m_server.start({QStringLiteral("--retry-ms"), QString::number(retryMs),
                             QStringLiteral("--allow-origin"), QString::fromLatin1(allowedOrigin)}),
             m_server.output().constData());
}

void tst_Streaming::cleanup()
{
    // Streams of the finished test are gone before the next one counts deliveries.
    QTRY_COMPARE_WITH_TIMEOUT(connectionCount(), 0, 5000);
}

void tst_Streaming::responseHeaders()
{
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
    QCOMPARE(client.header("Content-Type"), QByteArray("text/event-stream"));
    QCOMPARE(client.header("Cache-Control"), QByteArray("no-cache"));
    QCOMPARE(client.header("X-Accel-Buffering"), QByteArray("no"));
    QVERIFY(client.header("Content-Length").isEmpty());
    QVERIFY(client.header("Access-Control-Allow-Origin").isEmpty());
}

void tst_Streaming::retryComesFirst()
{
    const QString head = AdminApi::history(m_server.adminPort()).value(QStringLiteral("headId")).toString();
    QVERIFY(!head.isEmpty());
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    const QByteArray retry = "retry: " + QByteArray::number(retryMs) + "\n\n";
    QVERIFY(client.waitForBody("id: " + head.toLatin1() + "\n\n"));
    QVERIFY2(client.body().startsWith(retry), client.body().left(64).constData());
    QCOMPARE(client.parser().retryMs(), qint64(retryMs));
    QCOMPARE(client.parser().lastEventId(), head);
    QVERIFY(client.messages().isEmpty());
}

void tst_Streaming::pushReachesStream_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");

    const QString message = QStringLiteral("message");
    QTest::newRow("plain") << QByteArray(R"({"data":"hello"})") << message << QStringLiteral("hello");
    QTest::newRow("named") << QByteArray(R"({"event":"greet","data":"hi there"})")
                           << QStringLiteral("greet") << QStringLiteral("hi there");
    QTest::newRow("empty") << QByteArray(R"({"data":""})") << message << QString();
    QTest::newRow("leading space") << QByteArray(R"({"data":" lead"})") << message << QStringLiteral(" lead");
    QTest::newRow("utf-8") << QByteArray(R"({"data":"h\u00e9llo \u2713"})") << message
                           << QStringLiteral(u"h\u00e9llo \u2713");
    QTest::newRow("LF") << QByteArray(R"({"data":"l1\nl2\nl3"})") << message << QStringLiteral("l1\nl2\nl3");
    QTest::newRow("CR") << QByteArray(R"({"data":"l1\rl2\rl3"})") << message << QStringLiteral("l1\nl2\nl3");
    QTest::newRow("CRLF") << QByteArray(R"({"data":"l1\r\nl2\r\nl3"})") << message
                          << QStringLiteral("l1\nl2\nl3");
    QTest::newRow("mixed breaks") << QByteArray(R"({"data":"a\rb\nc\r\nd"})") << message
                                  << QStringLiteral("a\nb\nc\nd");
    QTest::newRow("blank lines") << QByteArray(R"({"data":"a\n\n\nb"})") << message << QStringLiteral("a\n\n\nb");
    QTest::newRow("trailing LF") << QByteArray(R"({"data":"a\n"})") << message << QStringLiteral("a\n");
    QTest::newRow("injection: blank line and fields")
        << QByteArray(R"({"data":"x\n\nevent: admin\ndata: pwned"})") << message
        << QStringLiteral("x\n\nevent: admin\ndata: pwned");
    QTest::newRow("injection: CR and id") << QByteArray(R"({"data":"\rid: 999"})") << message
                                          << QStringLiteral("\nid: 999");
    QTest::newRow("injection: CR CR retry") << QByteArray(R"({"data":"a\r\rretry: 1\r\rid: 5"})") << message
                                            << QStringLiteral("a\n\nretry: 1\n\nid: 5");
    QTest::newRow("json object") << QByteArray(R"({"data":{"a":1,"b":[true,null],"c":"x"}})") << message
                                 << QStringLiteral(R"({"a":1,"b":[true,null],"c":"x"})");
    QTest::newRow("json array, named") << QByteArray(R"({"event":"list","data":[1,"two"]})")
                                       << QStringLiteral("list") << QStringLiteral(R"([1,"two"])");
    QTest::newRow("json number") << QByteArray(R"({"data":42})") << message << QStringLiteral("42");
    QTest::newRow("string with json:true") << QByteArray(R"({"data":"hello","json":true})") << message
                                           << QStringLiteral(R"("hello")");
    QTest::newRow("multi-line string with json:true") << QByteArray(R"({"data":"a\nb","json":true})")
                                                      << message << QStringLiteral(R"("a\nb")");
}

void tst_Streaming::pushReachesStream()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QFETCH(QString, data);

    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
    const Pushed pushed = AdminApi::push(m_server.adminPort(), body);
    QCOMPARE(pushed.status, 200);
    QVERIFY(!pushed.id.isEmpty());
    QCOMPARE(pushed.delivered, 1);
    QVERIFY(client.waitForMessages(1));
    const SseMessage received = client.messages().first();
    QCOMPARE(received.type, type);
    QCOMPARE(received.data, data);
    QCOMPARE(received.lastEventId, pushed.id);
    QCOMPARE(client.parser().lastEventId(), pushed.id);
    QCOMPARE(client.parser().retryMs(), qint64(retryMs));

    // A following event arrives next: the payload above was exactly one message.
    const Pushed end = AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("end"), QStringLiteral("end"));
    QVERIFY(client.waitForMessages(2));
    QCOMPARE(client.messages().size(), 2);
    QCOMPARE(client.messages().at(1), (SseMessage{QStringLiteral("end"), QStringLiteral("end"), end.id}));
}

void tst_Streaming::filters_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QStringList>("names");  // pushed in order; "" is an unnamed message
    QTest::addColumn<QList<int>>("expected"); // indices into names, the last one always accepted

    QTest::newRow("unfiltered gets everything")
        << QByteArray("/eventsource") << QStringList{"a", "b", "", "c"} << QList<int>{0, 1, 2, 3};
    QTest::newRow("trailing slash is unfiltered")
        << QByteArray("/eventsource/") << QStringList{"a", ""} << QList<int>{0, 1};
    QTest::newRow("a gets only a")
        << QByteArray("/eventsource/a") << QStringList{"b", "c", "a"} << QList<int>{2};
    QTest::newRow("a gets no unnamed message")
        << QByteArray("/eventsource/a") << QStringList{"", "", "a"} << QList<int>{2};
    QTest::newRow("a,b gets a and b")
        << QByteArray("/eventsource/a,b") << QStringList{"", "a", "c", "ab", "b"} << QList<int>{1, 4};
    QTest::newRow("names are case-sensitive")
        << QByteArray("/eventsource/a") << QStringList{"A", "a"} << QList<int>{1};
    QTest::newRow("repeated filter name")
        << QByteArray("/eventsource/a,a") << QStringList{"a", "b", "a"} << QList<int>{0, 2};
}

void tst_Streaming::filters()
{
    QFETCH(QByteArray, path);
    QFETCH(QStringList, names);
    QFETCH(QList<int>, expected);
    QCOMPARE(expected.last(), names.size() - 1);

    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), path));
    QCOMPARE(client.status(), 200);
    QList<SseMessage> wanted;
    for (int i = 0; i < names.size(); ++i) {
        const QString data = QStringLiteral("event %1").arg(i);
        const Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), names[i], data);
        QCOMPARE(pushed.status, 200);
        QCOMPARE(pushed.delivered, expected.contains(i) ? 1 : 0);
        if (expected.contains(i))
            wanted.append(SseClient::messageOf(names[i], data, pushed.id));
    }
    // The last push is accepted; anything refused before it would have arrived before it.
    QVERIFY(client.waitForMessages(int(wanted.size())));
    QCOMPARE(client.messages(), wanted);
}

void tst_Streaming::deliveredCountsMatchingStreams_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QList<int>>("matching"); // indices of the streams below

    QTest::newRow("a") << QStringLiteral("a") << QList<int>{0, 1, 3};
    QTest::newRow("b") << QStringLiteral("b") << QList<int>{0, 2, 3};
    QTest::newRow("c") << QStringLiteral("c") << QList<int>{0, 4};
    QTest::newRow("unnamed") << QString() << QList<int>{0};
    QTest::newRow("nobody filters z") << QStringLiteral("z") << QList<int>{0};
}

void tst_Streaming::deliveredCountsMatchingStreams()
{
    QFETCH(QString, name);
    QFETCH(QList<int>, matching);

    const QByteArrayList paths{"/eventsource", "/eventsource/a", "/eventsource/b", "/eventsource/a,b",
                               "/eventsource/c,d"};
    SseClient clients[5];
    for (int i = 0; i < 5; ++i)
        QVERIFY(clients[i].open(m_server.publicPort(), paths[i]));
    const Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), name, QStringLiteral("count me"));
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.delivered, int(matching.size()));
    for (const int i : matching) {
        QVERIFY2(clients[i].waitForMessages(1), paths[i].constData());
        QCOMPARE(clients[i].messages().first().lastEventId, pushed.id);
    }
}

void tst_Streaming::heartbeat()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--heartbeat-ms"), QStringLiteral("200")}), server.output().constData());
    SseClient client;
    QVERIFY(client.open(server.publicPort(), "/eventsource/a"));
    QVERIFY(client.waitForComments(3));
    QVERIFY2(client.body().contains("\n:\n"), client.body().constData());
    QVERIFY(client.messages().isEmpty());

    // An event the filter drops: the idle stream still learns the new head id with a heartbeat.
    const Pushed pushed = AdminApi::pushNamed(server.adminPort(), QStringLiteral("b"), QStringLiteral("not for a"));
    QCOMPARE(pushed.delivered, 0);
    QVERIFY(client.waitForComments(client.parser().commentCount() + 2));
    QCOMPARE(client.parser().lastEventId(), pushed.id);
    QVERIFY(client.messages().isEmpty());
}

void tst_Streaming::initialPadding()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--initial-padding"), QStringLiteral("2048"),
                           QStringLiteral("--retry-ms"), QStringLiteral("1500")}),
             server.output().constData());
    SseClient client;
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    const QByteArray expected = "retry: 1500\n\n:" + QByteArray(2048, ' ') + "\n\n";
    QVERIFY(client.waitForBody(expected));
    QVERIFY(client.body().startsWith(expected));
    QCOMPARE(client.parser().commentCount(), 1);
    const Pushed pushed = AdminApi::pushNamed(server.adminPort(), {}, QStringLiteral("after padding"));
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().first().data, QStringLiteral("after padding"));
    QCOMPARE(client.messages().first().lastEventId, pushed.id);
}

void tst_Streaming::cors_data()
{
    QTest::addColumn<bool>("wildcard"); // else the shared server, which allows allowedOrigin only
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("origin"); // "SAME": the listener's own host:port
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("corsHeaders"); // the origin echoed with credentials

    QTest::newRow("GET, no origin") << false << QByteArray("GET") << QByteArray() << 200 << false;
    QTest::newRow("GET, allowed origin") << false << QByteArray("GET") << allowedOrigin << 200 << true;
    QTest::newRow("GET, refused origin") << false << QByteArray("GET") << QByteArray("http://evil.example")
                                         << 403 << false;
    QTest::newRow("GET, same origin") << false << QByteArray("GET") << QByteArray("SAME") << 200 << false;
    // "*" is answered as "*", without credentials: never the origin reflected.
    QTest::newRow("GET, wildcard") << true << QByteArray("GET") << QByteArray("http://any.example") << 200
                                   << false;
    QTest::newRow("GET, wildcard, null origin") << true << QByteArray("GET") << QByteArray("null") << 200
                                                << false;
    QTest::newRow("preflight, allowed origin") << false << QByteArray("OPTIONS") << allowedOrigin << 204 << true;
    QTest::newRow("preflight, refused origin") << false << QByteArray("OPTIONS")
                                               << QByteArray("http://evil.example") << 403 << false;
    QTest::newRow("preflight, wildcard") << true << QByteArray("OPTIONS") << QByteArray("http://any.example")
                                         << 204 << false;
}

void tst_Streaming::cors()
{
    QFETCH(bool, wildcard);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, origin);
    QFETCH(int, status);
    QFETCH(bool, corsHeaders);

    ServerProcess wildcardServer;
    if (wildcard)
        QVERIFY(wildcardServer.start({QStringLiteral("--allow-origin"), QStringLiteral("*")}));
    const quint16 port = wildcard ? wildcardServer.publicPort() : m_server.publicPort();
    if (origin == "SAME")
        origin = "http://127.0.0.1:" + QByteArray::number(port);
    SseClient::Headers headers;
    if (!origin.isEmpty())
        headers.append(std::pair<QByteArray, QByteArray>("Origin", origin));

    HttpResponse response;
    SseClient stream;
    if (method == "GET") {
        // A granted stream never ends: read only its head.
        QVERIFY(stream.open(port, "/eventsource", headers));
        response.status = stream.status();
        if (response.status != 200 && stream.waitForBody("}"))
            response.body = stream.body();
        response.headers = {{"Access-Control-Allow-Origin", stream.header("Access-Control-Allow-Origin")},
                            {"Access-Control-Allow-Credentials", stream.header("Access-Control-Allow-Credentials")}};
    } else {
        headers += {{"Access-Control-Request-Method", "GET"}, {"Access-Control-Request-Headers", "last-event-id"}};
        response = HttpClient::request(port, method, "/eventsource", {}, headers);
    }
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("Access-Control-Allow-Origin"),
             corsHeaders ? origin : wildcard ? QByteArray("*") : QByteArray());
    QCOMPARE(response.header("Access-Control-Allow-Credentials"), corsHeaders ? QByteArray("true") : QByteArray());
    if (method == "OPTIONS" && status == 204) {
        QVERIFY2(response.header("Access-Control-Allow-Methods").contains("GET"),
                 response.header("Access-Control-Allow-Methods").constData());
        QVERIFY(response.header("Access-Control-Allow-Headers").toLower().contains("last-event-id"));
    }
    if (status == 403)
        QVERIFY(response.json().object().contains(QStringLiteral("error")));
}

void tst_Streaming::methodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");

    QTest::newRow("POST") << QByteArray("POST") << QByteArray("/eventsource");
    QTest::newRow("HEAD") << QByteArray("HEAD") << QByteArray("/eventsource");
    QTest::newRow("PUT") << QByteArray("PUT") << QByteArray("/eventsource");
    QTest::newRow("POST, filtered") << QByteArray("POST") << QByteArray("/eventsource/a,b");
}

void tst_Streaming::methodNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);

    // A HEAD answer has no body to wait for.
    const HttpResponse response = HttpClient::request(m_server.publicPort(), method, path, {}, {},
                                                      method == "HEAD" ? 2000 : 10000);
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("Allow"), QByteArray("GET, OPTIONS"));
    QCOMPARE(connectionCount(), 0);
}

void tst_Streaming::notFound_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("root") << QByteArray("GET") << QByteArray("/") << QByteArray();
    QTest::newRow("other path") << QByteArray("GET") << QByteArray("/events") << QByteArray();
    QTest::newRow("prefix of a longer name") << QByteArray("GET") << QByteArray("/eventsourcex") << QByteArray();
    QTest::newRow("nested under another") << QByteArray("GET") << QByteArray("/x/eventsource") << QByteArray();
    QTest::newRow("admin push") << QByteArray("POST") << QByteArray("/api/push")
                                << QByteArray(R"({"data":"must not be published"})");
    QTest::newRow("admin stats") << QByteArray("GET") << QByteArray("/api/stats") << QByteArray();
    QTest::newRow("admin connections") << QByteArray("GET") << QByteArray("/api/connections") << QByteArray();
    QTest::newRow("metrics") << QByteArray("GET") << QByteArray("/metrics") << QByteArray();
    QTest::newRow("health") << QByteArray("GET") << QByteArray("/health") << QByteArray();
}

void tst_Streaming::notFound()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);

    const double published = AdminApi::stats(m_server.adminPort()).value(QStringLiteral("eventsPublished")).toDouble();
    // Even with the admin token, the public listener serves no admin route.
    const HttpResponse response = HttpClient::request(
        m_server.publicPort(), method, path, body,
        {{"Authorization", HttpClient::adminAuthorization()},
         {"Content-Type", "application/json"}});
    QCOMPARE(response.status, 404);
    QVERIFY2(response.json().object().contains(QStringLiteral("error")), response.body.constData());
    QCOMPARE(AdminApi::stats(m_server.adminPort()).value(QStringLiteral("eventsPublished")).toDouble(), published);
}

void tst_Streaming::filterNames_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");

    QTest::newRow("LF in a name") << QByteArray("/eventsource/a%0Ab") << 400;
    QTest::newRow("CR in a name") << QByteArray("/eventsource/a,%0D") << 400;
    QTest::newRow("NUL in a name") << QByteArray("/eventsource/a%00") << 400;
    QTest::newRow("name of 257 bytes") << "/eventsource/" + QByteArray(257, 'n') << 400;
    QTest::newRow("name of 256 bytes") << "/eventsource/" + QByteArray(256, 'n') << 200;
    QTest::newRow("empty names skipped") << QByteArray("/eventsource/a,,b,") << 200;
}

void tst_Streaming::filterNames()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);

    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), path));
    QCOMPARE(client.status(), status);
    if (status == 400) {
        QVERIFY(client.waitForBody("}"));
        QVERIFY2(QJsonDocument::fromJson(client.body()).object().contains(QStringLiteral("error")),
                 client.body().constData());
    }
}

void tst_Streaming::pipelinedRequestIsDiscarded()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), m_server.publicPort());
    QVERIFY(socket.waitForConnected(10000));
    socket.write("GET /eventsource HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray received;
    QVERIFY(readUntil(socket, received, "retry: " + QByteArray::number(retryMs) + "\n\n"));
    QVERIFY2(received.startsWith("HTTP/1.1 200"), received.constData());

    const Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), {}, QStringLiteral("after pipelining"));
    QCOMPARE(pushed.delivered, 1);
    QVERIFY2(readUntil(socket, received, "data: after pipelining\n\n"), received.constData());
    const QByteArray body = received.mid(received.indexOf("\r\n\r\n") + 4);
    QVERIFY2(!body.contains("HTTP/1.1"), body.constData());
    QVERIFY2(body.contains("id: " + pushed.id.toLatin1() + "\ndata: after pipelining\n\n"), body.constData());
}

void tst_Streaming::ordering()
{
    constexpr int count = 50;
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QStringList ids;
    for (int i = 0; i < count; ++i) {
        const Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("n"), QString::number(i));
        QCOMPARE(pushed.status, 200);
        ids.append(pushed.id);
    }
    QVERIFY(client.waitForMessages(count));
    QCOMPARE(client.messages().size(), count);
    for (int i = 0; i < count; ++i) {
        const SseMessage &message = client.messages().at(i);
        QCOMPARE(message.data, QString::number(i));
        QCOMPARE(message.lastEventId, ids[i]);
        if (i > 0)
            QVERIFY2(SseClient::sequenceOf(ids[i]) > SseClient::sequenceOf(ids[i - 1]), qPrintable(ids[i - 1] + u' ' + ids[i]));
    }
}

QTEST_GUILESS_MAIN(tst_Streaming)
#include "tst_streaming.moc"
