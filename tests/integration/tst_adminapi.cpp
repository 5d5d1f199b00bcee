#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

using Pushed = AdminApi::Pushed;

void verifyJsonError(const HttpResponse &response)
{
    QVERIFY2(response.header("Content-Type").startsWith("application/json"),
             response.header("Content-Type").constData());
    QVERIFY2(response.json().object()[u"error"].isString(), response.body.constData());
    QVERIFY(!response.json().object()[u"error"].toString().isEmpty());
}

} // namespace

class TestAdminApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void refusesBadAuth_data();
    void refusesBadAuth();
    void refusesInvalidPush_data();
    void refusesInvalidPush();
    void deliversValidPush_data();
    void deliversValidPush();
    void refusesOversizedEvent();
    void pushAnswersIdAndDelivered();
    void listsConnections();
    void connectionsRefuseUnknownFilters_data();
    void connectionsRefuseUnknownFilters();
    void deletesConnection();
    void refusesBadRoute_data();
    void refusesBadRoute();
    void statsCountPushes();
    void metricsAreValidPrometheus();
    void metricsCountersMove();
    void health();
    void generatedTokenKeptOnlyOnceStarted();
    void expectContinue_data();
    void expectContinue();

private:
    Pushed push(const QByteArray &body) { return AdminApi::push(m_server.adminPort(), body); }
    qint64 published() { return AdminApi::stats(m_server.adminPort())[u"eventsPublished"].toInteger(-1); }

    ServerProcess m_server;
};

void TestAdminApi::initTestCase()
{
    // refusesBadAuth sends dozens of wrong tokens from this address: unthrottled here (the
    // throttle has its own test in tst_attacks).
    QVERIFY2(m_server.start({u"--max-event-kb"_s, u"1"_s, u"--auth-failures-per-minute"_s, u"0"_s}),
             m_server.output().constData());
}

void TestAdminApi::init()
{
    // Every test starts with no stream left over from the one before.
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

void TestAdminApi::refusesBadAuth_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("authorization"); // empty: no header at all

    const QList<std::tuple<QByteArray, QByteArray, QByteArray>> routes{
        {"POST", "/api/push", R"({"data":"refused"})"}, {"GET", "/api/connections", {}},
        {"DELETE", "/api/connections/1", {}}, {"GET", "/api/stats", {}}, {"GET", "/metrics", {}},
        {"GET", "/health", {}}};
    const QList<std::pair<const char *, QByteArray>> auths{
        {"missing", {}}, {"Basic scheme", "Basic x"},
        {"Basic with token", QByteArray("Basic ") + ServerProcess::adminToken},
        {"Bearer alone", "Bearer"}, {"Bearer and space", "Bearer "}, {"wrong token", "Bearer wrong-token"},
        {"token prefix", "Bearer test-admin-toke"}, {"token plus suffix", "Bearer test-admin-tokenX"},
        {"token without scheme", ServerProcess::adminToken}};
    for (const auto &[method, target, body] : routes) {
        for (const auto &[name, authorization] : auths)
            QTest::addRow("%s %s / %s", method.constData(), target.constData(), name)
                << method << target << body << authorization;
    }
}

void TestAdminApi::refusesBadAuth()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, authorization);

    const qint64 before = published();
    HttpClient::Headers headers;
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    const HttpResponse response = HttpClient::request(m_server.adminPort(), method, target, body, headers);
    QCOMPARE(response.status, 401);
    QVERIFY(response.header("WWW-Authenticate").startsWith("Bearer"));
    verifyJsonError(response);
    QCOMPARE(published(), before); // a refused push publishes nothing
}

void TestAdminApi::refusesInvalidPush_data()
{
    QTest::addColumn<QByteArray>("body");

    const QList<std::pair<const char *, QByteArray>> rows{
        {"malformed JSON", R"({"data": "x")"},
        {"empty body", ""},
        {"array of numbers (a batch of no push)", R"([1])"},
        {"string body", R"("x")"},
        {"missing data", R"({"event":"a"})"},
        {"unknown field", R"({"data":"x","extra":1})"},
        {"event is a number", R"({"event":1,"data":"x"})"},
        {"event is an object", R"({"event":{},"data":"x"})"},
        {"event with LF", R"({"event":"a\nb","data":"x"})"},
        {"event with CR", R"({"event":"a\rb","data":"x"})"},
        {"event with NUL", R"({"event":"a\u0000b","data":"x"})"},
        {"event with comma", R"({"event":"a,b","data":"x"})"},
        {"event of 257 bytes", R"({"event":")" + QByteArray(257, 'e') + R"(","data":"x"})"},
        // 129 characters, 258 bytes in UTF-8: the limit is in bytes.
        {"event of 258 UTF-8 bytes", R"({"event":")" + QString(129, QChar(0xe9)).toUtf8() + R"(","data":"x"})"},
        {"json is a string", R"({"data":"x","json":"yes"})"},
        {"json is a number", R"({"data":"x","json":1})"},
        {"json is null", R"({"data":"x","json":null})"},
        {"data with NUL", R"({"data":"a\u0000b"})"},
        {"data with NUL, json false", R"({"data":"a\u0000b","json":false})"},
        {"target is a string", R"({"data":"x","target":"all"})"},
        {"target is an array", R"({"data":"x","target":[]})"},
        {"target is a number", R"({"data":"x","target":1})"},
        {"target.sessions is a string", R"({"data":"x","target":{"sessions":"s"}})"},
        {"target.users holds a bool", R"({"data":"x","target":{"users":[true]}})"},
        {"target.users holds a fraction", R"({"data":"x","target":{"users":[1.5]}})"},
        {"target.groups holds an object", R"({"data":"x","target":{"groups":[{}]}})"},
        {"target.groups holds an empty name", R"({"data":"x","target":{"groups":[""]}})"},
        {"target has an unknown field", R"({"data":"x","target":{"everyone":[]}})"},
        {"target names nobody", R"({"data":"x","target":{}})"},
        {"target lists are all empty", R"({"data":"x","target":{"sessions":[],"users":[],"groups":[]}})"},
    };
    for (const auto &[name, body] : rows)
        QTest::addRow("%s", name) << body;
}

void TestAdminApi::refusesInvalidPush()
{
    QFETCH(QByteArray, body);

    const qint64 before = published();
    const Pushed pushed = push(body);
    QCOMPARE(pushed.status, 400);
    verifyJsonError(pushed.response);
    QCOMPARE(published(), before);
}

void TestAdminApi::deliversValidPush_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");

    const QByteArray longName(256, 'e');
    const QList<std::tuple<const char *, QByteArray, QString, QString>> rows{
        {"plain string", R"({"data":"hello"})", "message", "hello"},
        {"event of 256 bytes", R"({"event":")" + longName + R"(","data":"x"})", QString::fromLatin1(longName), "x"},
        {"event null", R"({"event":null,"data":"x"})", "message", "x"},
        {"multi-line string", R"({"data":"one\ntwo\r\nthree"})", "message", "one\ntwo\nthree"},
        {"object", R"({"data":{"a":1}})", "message", R"({"a":1})"},
        {"number", R"({"data":42})", "message", "42"},
        {"string as JSON", R"({"data":"hi","json":true})", "message", R"("hi")"},
        {"NUL string as JSON", R"({"data":"a\u0000b","json":true})", "message", R"("a\u0000b")"},
        {"null target", R"({"data":"x","target":null})", "message", "x"}};
    for (const auto &[name, body, type, data] : rows)
        QTest::addRow("%s", name) << body << type << data;
}

void TestAdminApi::deliversValidPush()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);
    QFETCH(QString, data);

    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 1));
    const Pushed pushed = push(body);
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.delivered, 1);
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().size(), 1);
    QCOMPARE(client.messages().first().type, type);
    QCOMPARE(client.messages().first().data, data);
    QCOMPARE(client.messages().first().lastEventId, pushed.id);
}

void TestAdminApi::refusesOversizedEvent()
{
    const qint64 before = AdminApi::limitHits(m_server.adminPort(), "event_size");
    QVERIFY(before >= 0);

    // --max-event-kb 1: exactly 1024 bytes pass, 1025 do not.
    const Pushed largest = push(R"({"data":")" + QByteArray(1024, 'x') + "\"}");
    QCOMPARE(largest.status, 200);
    const Pushed refused = push(R"({"data":")" + QByteArray(1025, 'x') + "\"}");
    QCOMPARE(refused.status, 413);
    verifyJsonError(refused.response);
    QCOMPARE(AdminApi::limitHits(m_server.adminPort(), "event_size"), before + 1);
}

void TestAdminApi::pushAnswersIdAndDelivered()
{
    const Pushed nobody = push(R"({"event":"a","data":"1"})");
    QCOMPARE(nobody.status, 200);
    QVERIFY(nobody.response.header("Content-Type").startsWith("application/json"));
    const QJsonObject first = nobody.body;
    QVERIFY(first[u"id"].isString() && !first[u"id"].toString().isEmpty());
    QVERIFY(first[u"delivered"].isDouble());
    QCOMPARE(first[u"delivered"].toInt(-1), 0);

    SseClient filtered, all;
    QVERIFY(filtered.open(m_server.publicPort(), "/eventsource/a"));
    QVERIFY(all.open(m_server.publicPort(), "/eventsource"));
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 2));

    const Pushed named = push(R"({"event":"a","data":"2"})");
    QCOMPARE(named.delivered, 2);
    const Pushed other = push(R"({"event":"b","data":"3"})");
    QCOMPARE(other.delivered, 1);
    const Pushed unnamed = push(R"({"data":"4"})");
    QCOMPARE(unnamed.delivered, 1);

    const QSet<QString> ids{first[u"id"].toString(), named.id, other.id, unnamed.id};
    QCOMPARE(ids.size(), 4);
    QVERIFY(all.waitForMessages(3));
    QCOMPARE(all.messages().last().lastEventId, unnamed.id);
}

void TestAdminApi::listsConnections()
{
    const QByteArray userAgent = "tst_adminapi/1.0 (listing)";
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource/a,b", {{"User-Agent", userAgent}}));
    QCOMPARE(client.status(), 200);
    QVERIFY(client.waitForBody("id: "));
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 1));

    const HttpResponse listed = HttpClient::admin(m_server.adminPort(), "GET", "/api/connections");
    QCOMPARE(listed.status, 200);
    QCOMPARE(listed.json().object()[u"count"].toInt(-1), 1);
    const QJsonArray list = listed.json().object()[u"connections"].toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject entry = list.first().toObject();
    QVERIFY(entry[u"id"].isString() && !entry[u"id"].toString().isEmpty());
    QVERIFY(entry[u"session"].isString() && !entry[u"session"].toString().isEmpty());
    QCOMPARE(entry[u"remoteAddress"].toString(), u"127.0.0.1"_s);
    QCOMPARE(entry[u"userAgent"].toString(), QString::fromLatin1(userAgent));
    QCOMPARE(entry[u"filter"].toArray(), QJsonArray({u"a"_s, u"b"_s}));
    QVERIFY2(QDateTime::fromString(entry[u"connectedAt"].toString(), Qt::ISODateWithMs).isValid(),
             qPrintable(entry[u"connectedAt"].toString()));
    QVERIFY(entry[u"eventsSent"].isDouble() && entry[u"bytesSent"].isDouble());
    QCOMPARE(entry[u"eventsSent"].toInteger(-1), 0);
    QCOMPARE(entry[u"lastEventId"].toString(), client.parser().lastEventId());

    const Pushed pushed = push(R"({"event":"b","data":"hello"})");
    QCOMPARE(pushed.status, 200);
    QVERIFY(client.waitForMessages(1));
    const QJsonObject after = HttpClient::admin(m_server.adminPort(), "GET", "/api/connections")
                                  .json().object()[u"connections"].toArray().first().toObject();
    QCOMPARE(after[u"id"], entry[u"id"]);
    QCOMPARE(after[u"eventsSent"].toInteger(-1), 1);
    QVERIFY(after[u"bytesSent"].toInteger() > entry[u"bytesSent"].toInteger());
    QCOMPARE(after[u"lastEventId"].toString(), pushed.id);
}

void TestAdminApi::connectionsRefuseUnknownFilters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<int>("status");
    QTest::newRow("session") << "?session=x"_ba << 400;
    QTest::newRow("misspelt user") << "?usr=alice"_ba << 400;
    QTest::newRow("one known, one not") << "?user=alice&limit=5"_ba << 400;
    QTest::newRow("user") << "?user=alice"_ba << 200;
    QTest::newRow("group") << "?group=Ops"_ba << 200;
    QTest::newRow("none") << ""_ba << 200;
}

void TestAdminApi::connectionsRefuseUnknownFilters()
{
    QFETCH(QByteArray, query);
    QFETCH(int, status);
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "GET", "/api/connections" + query);
    QCOMPARE(response.status, status);
    if (status == 400) {
        verifyJsonError(response);
        QVERIFY(response.json()[u"error"].toString().contains(u"unknown filter"));
    } else {
        // The anonymous stream is no user's and in no group: only the unfiltered listing has it.
        QCOMPARE(response.json()[u"count"].toInt(), query.isEmpty() ? 1 : 0);
    }
}

void TestAdminApi::deletesConnection()
{
    SseClient kept, kicked;
    QVERIFY(kept.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "kept"}}));
    QVERIFY(kicked.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "kicked"}}));
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 2));

    const QString id = AdminApi::connectionOf(m_server.adminPort(), u"kicked"_s)[u"id"].toString();
    QVERIFY(!id.isEmpty());

    const QByteArray target = "/api/connections/" + id.toLatin1();
    const HttpResponse first = HttpClient::admin(m_server.adminPort(), "DELETE", target);
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json().object()[u"closed"].toVariant().toString(), id);
    QVERIFY(kicked.waitForClosed());
    QVERIFY(!kept.isClosed());
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 1));

    const HttpResponse second = HttpClient::admin(m_server.adminPort(), "DELETE", target);
    QCOMPARE(second.status, 404);
    verifyJsonError(second);
    // The other stream still gets events.
    QCOMPARE(push(R"({"data":"after"})").delivered, 1);
    QVERIFY(kept.waitForMessages(1));
}

void TestAdminApi::refusesBadRoute_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("allow"); // for 405

    const QList<std::tuple<QByteArray, QByteArray, int, QByteArray>> rows{
        {"DELETE", "/api/connections/abc", 404, {}}, {"DELETE", "/api/connections/987654321", 404, {}},
        {"DELETE", "/api/connections/-1", 404, {}}, {"DELETE", "/api/connections/", 404, {}},
        {"GET", "/", 404, {}}, {"GET", "/api", 404, {}}, {"GET", "/api/nope", 404, {}},
        {"POST", "/api/pushx", 404, {}}, {"GET", "/api/stats/x", 404, {}}, {"GET", "/eventsource", 404, {}},
        {"GET", "/api/push", 405, "POST"}, {"PUT", "/api/push", 405, "POST"},
        {"POST", "/api/connections", 405, "GET"}, {"DELETE", "/api/connections", 405, "GET"},
        {"GET", "/api/connections/1", 405, "DELETE"}, {"POST", "/api/stats", 405, "GET"},
        {"DELETE", "/metrics", 405, "GET"}, {"POST", "/health", 405, "GET"}};
    for (const auto &[method, target, status, allow] : rows)
        QTest::addRow("%s %s", method.constData(), target.constData()) << method << target << status << allow;
}

void TestAdminApi::refusesBadRoute()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, allow);

    const HttpResponse response = HttpClient::admin(m_server.adminPort(), method, target);
    QCOMPARE(response.status, status);
    verifyJsonError(response);
    if (status == 405) {
        const QList<QByteArray> allowed = response.header("Allow").split(',');
        QVERIFY2(std::any_of(allowed.begin(), allowed.end(), [&](const QByteArray &m) { return m.trimmed() == allow; }),
                 response.header("Allow").constData());
    }
}

void TestAdminApi::statsCountPushes()
{
    // A server of its own, so every count is known.
    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    const QJsonObject fresh = AdminApi::stats(server.adminPort());
    for (const char *field : {"connections", "connectionsOpened", "connectionsRejected", "eventsPublished",
                              "eventsRejected", "deliveries", "bytesSent", "replayedEvents", "resumeGaps",
                              "droppedSlowConsumers", "kicked"}) {
        QVERIFY2(fresh[QLatin1String(field)].isDouble(), field);
        QVERIFY2(fresh[QLatin1String(field)].toInteger(-1) == 0, field);
    }
    QVERIFY(fresh[u"uptimeSeconds"].isDouble());
    QVERIFY(fresh[u"version"].isString());
    const QJsonObject history = fresh[u"history"].toObject();
    QCOMPARE(history[u"size"].toInteger(-1), 0);
    QCOMPARE(history[u"capacity"].toInteger(-1), 1000);
    QVERIFY(history[u"headId"].isString());
    QCOMPARE(history[u"persistent"], QJsonValue(false));

    SseClient one, two;
    QVERIFY(one.open(server.publicPort(), "/eventsource"));
    QVERIFY(two.open(server.publicPort(), "/eventsource/only"));
    QVERIFY(AdminApi::waitForConnections(server.adminPort(), 2));
    QString lastId;
    for (const QByteArray body : {R"({"data":"1"})", R"({"event":"only","data":"2"})", R"({"data":"3"})"}) {
        const Pushed pushed = AdminApi::push(server.adminPort(), body);
        QCOMPARE(pushed.status, 200);
        lastId = pushed.id;
    }
    QVERIFY(one.waitForMessages(3));
    QVERIFY(two.waitForMessages(1));

    const QJsonObject after = AdminApi::stats(server.adminPort());
    QCOMPARE(after[u"eventsPublished"].toInteger(-1), 3);
    QCOMPARE(after[u"deliveries"].toInteger(-1), 4);
    QCOMPARE(after[u"connections"].toInteger(-1), 2);
    QCOMPARE(after[u"connectionsOpened"].toInteger(-1), 2);
    QVERIFY(after[u"bytesSent"].toInteger() >= one.body().size() + two.body().size());
    QCOMPARE(after[u"history"][u"size"].toInteger(-1), 3);
    QCOMPARE(after[u"history"][u"headId"].toString(), lastId);
}

void TestAdminApi::metricsAreValidPrometheus()
{
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "GET", "/metrics");
    QCOMPARE(response.status, 200);
    QVERIFY2(response.header("Content-Type").startsWith("text/plain"), response.header("Content-Type").constData());
    QVERIFY(response.body.endsWith('\n'));

    static const QRegularExpression sample(
        uR"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")"
        uR"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? )"
        uR"((-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)$)"_s);
    static const QRegularExpression help(uR"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$)"_s);
    static const QRegularExpression type(
        uR"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)"_s);
    QSet<QString> helped, typed, sampled;
    const QStringList lines = QString::fromUtf8(response.body).split(u'\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) { // the last "line" is after the final \n
        const QString &line = lines[i];
        QVERIFY2(!line.isEmpty(), qPrintable(u"empty line %1"_s.arg(i + 1)));
        if (const QRegularExpressionMatch m = help.match(line); m.hasMatch()) {
            QVERIFY2(!helped.contains(m.captured(1)), qPrintable(line));
            helped.insert(m.captured(1));
        } else if (const QRegularExpressionMatch t = type.match(line); t.hasMatch()) {
            QVERIFY2(!typed.contains(t.captured(1)), qPrintable(line));
            QVERIFY2(!sampled.contains(t.captured(1)), qPrintable(line + u" after its samples"_s));
            typed.insert(t.captured(1));
        } else if (!line.startsWith(u"# ")) {
            const QRegularExpressionMatch s = sample.match(line);
            QVERIFY2(s.hasMatch(), qPrintable(line));
            QVERIFY2(helped.contains(s.captured(1)), qPrintable(line + u": no HELP before it"_s));
            QVERIFY2(typed.contains(s.captured(1)), qPrintable(line + u": no TYPE before it"_s));
            sampled.insert(s.captured(1));
        }
    }
    QCOMPARE(typed, helped);
    QCOMPARE(sampled, typed);
    for (const char *limit : {"max_connections", "buffer", "event_size", "header_size", "body_size", "request_timeout"}) {
        const QByteArray series = QByteArray(R"(eventsource_limit_hits_total{limit=")") + limit + "\"}";
        QVERIFY2(AdminApi::metric(response.body, series) >= 0, limit);
    }
}

void TestAdminApi::metricsCountersMove()
{
    const QByteArray before = AdminApi::metrics(m_server.adminPort());
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 1));
    QCOMPARE(push(R"({"data":"counted"})").status, 200);
    QVERIFY(client.waitForMessages(1));
    const QByteArray after = AdminApi::metrics(m_server.adminPort());

    QCOMPARE(AdminApi::metric(after, "eventsource_connections"), 1);
    for (const QByteArray name : {"eventsource_events_published_total", "eventsource_deliveries_total",
                                  "eventsource_connections_opened_total"})
        QVERIFY2(AdminApi::metric(after, name) == AdminApi::metric(before, name) + 1, name.constData());
    QVERIFY(AdminApi::metric(after, "eventsource_bytes_sent_total") > AdminApi::metric(before, "eventsource_bytes_sent_total"));
    QVERIFY(AdminApi::metric(after, "eventsource_history_events") >= 1);
}

void TestAdminApi::health()
{
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "GET", "/health");
    QCOMPARE(response.status, 200);
    QVERIFY(response.header("Content-Type").startsWith("application/json"));
    QCOMPARE(response.json().object(), QJsonObject({{u"status"_s, u"ok"_s}}));
    // The public listener serves none of the admin routes.
    QCOMPARE(HttpClient::admin(m_server.publicPort(), "GET", "/health").status, 404);
    QCOMPARE(HttpClient::admin(m_server.publicPort(), "GET", "/api/stats").status, 404);
}

// A start that fails (its port is taken) must not leave a token file behind that the next
// start would read without printing it: the next start makes and prints one.
void TestAdminApi::generatedTokenKeptOnlyOnceStarted()
{
    QTemporaryDir dir;
    QTcpServer busy;
    QVERIFY(busy.listen(QHostAddress::LocalHost));
    const QString tokenFile = dir.filePath(u"admin-token"_s);
    QProcess failed;
    failed.start(ServerProcess::binary(), {u"--listen"_s, u"127.0.0.1:%1"_s.arg(busy.serverPort()),
                                           u"--admin-listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path()});
    QVERIFY(failed.waitForFinished(10000));
    QVERIFY(failed.exitCode() != 0);
    QVERIFY(!failed.readAllStandardOutput().contains("admin-token="));
    QVERIFY(!QFile::exists(tokenFile));

    QProcess process;
    process.start(ServerProcess::binary(), {u"--listen"_s, u"127.0.0.1:0"_s, u"--admin-listen"_s, u"127.0.0.1:0"_s,
                                            u"--data-dir"_s, dir.path()});
    QVERIFY(process.waitForStarted(10000));
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains(" ready "), 10000);
    const QRegularExpressionMatch printed = QRegularExpression(u"admin-token=([0-9a-f]{64})"_s).match(QString::fromLatin1(out));
    QVERIFY2(printed.hasMatch(), out.constData());
    QFile file(tokenFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromLatin1(file.readAll().trimmed()), printed.captured(1));
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
}

void TestAdminApi::expectContinue_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("mustContinue");
    QTest::addColumn<int>("finalStatus");

    QTest::addRow("small push") << QByteArray(R"({"data":"continued"})") << true << 200;
    QTest::addRow("2 MB push") << R"({"data":")" + QByteArray(2 * 1024 * 1024, 'x') + "\"}" << false << 413;
}

void TestAdminApi::expectContinue()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, mustContinue);
    QFETCH(int, finalStatus);

    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server.adminPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + HttpClient::adminAuthorization()
                 + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\nExpect: 100-continue\r\n\r\n");
    // The body is held back: the server has to answer the head alone, with 100 or a refusal.
    QByteArray received;
    HttpClient::readUntil(socket, received, [&] { return received.contains("\r\n\r\n"); }, 5000);
    const QByteArray statusLine = received.left(received.indexOf("\r\n"));
    const bool continued = statusLine == "HTTP/1.1 100 Continue";
    QVERIFY2(continued || (!mustContinue && statusLine.startsWith("HTTP/1.1 " + QByteArray::number(finalStatus) + ' ')),
             statusLine.constData());
    if (continued) {
        received = received.mid(received.indexOf("\r\n\r\n") + 4);
        socket.write(body);
        HttpClient::readUntil(socket, received, [&] {
            const HttpResponse response = HttpClient::parse(received);
            return response.status && response.body.size() >= response.header("Content-Length").toLongLong();
        }, 10000);
    }
    QCOMPARE(HttpClient::parse(received).status, finalStatus);
}

QTEST_GUILESS_MAIN(TestAdminApi)
#include "tst_adminapi.moc"
