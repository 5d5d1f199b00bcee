#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"
#include "sseencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

// The test bench for client apps (issue 14) against the real server: audience preview
// (dryRun), delivery status of an event.
class TestTestBench : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void dryRunSendsNothing();
    void dryRunFollowsFilterAndTarget();
    void dryRunRefusesWhatPushRefuses_data();
    void dryRunRefusesWhatPushRefuses();
    void deliveryStatusCounts();
    void deliveryStatusOfUnknownEvent();
    void resumeAudit_data();
    void resumeAudit();
    void resumeAuditTooOld();
    void traceListsWhatTheStreamReceived();
    void traceOfUnknownStream();
    void testModeIdsAndReset();
    void resetRefusedWithoutTestMode();
    void testModeKeepsHistoryInMemory();

private:
    HttpResponse admin(const QByteArray &method, const QByteArray &target, const QJsonObject &body = {})
    {
        return HttpClient::admin(m_server.adminPort(), method, target,
                                 body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson());
    }
    QString openStream(SseClient &client, const QByteArray &userAgent, const QByteArray &path = "/eventsource");
    QJsonObject status(const QString &eventId) { return admin("GET", "/api/events/" + eventId.toUtf8()).json().object(); }

    ServerProcess m_server;
};

void TestTestBench::initTestCase()
{
    QVERIFY2(m_server.start({u"--test-faults"_s}), m_server.output().constData());
}

void TestTestBench::init()
{
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

QString TestTestBench::openStream(SseClient &client, const QByteArray &userAgent, const QByteArray &path)
{
    return AdminApi::openStream(client, m_server.publicPort(), m_server.adminPort(), userAgent, path);
}

void TestTestBench::dryRunSendsNothing()
{
    SseClient stream;
    const QString id = openStream(stream, "listener");
    QVERIFY(!id.isEmpty());
    QVERIFY(stream.waitForBody("retry:"));
    const QJsonObject before = AdminApi::stats(m_server.adminPort());
    const HttpResponse preview = admin("POST", "/api/push", {{u"data"_s, u"not sent"_s}, {u"dryRun"_s, true}});
    QCOMPARE(preview.status, 200);
    QCOMPARE(preview.json()[u"wouldDeliver"].toInt(), 1);
    QCOMPARE(preview.json()[u"connections"].toArray(), QJsonArray{id});
    QVERIFY(!preview.json().object().contains(u"id"));
    const QByteArray body = stream.body();
    stream.readFor(200);
    QCOMPARE(stream.body(), body);
    const QJsonObject after = AdminApi::stats(m_server.adminPort());
    QCOMPARE(after[u"eventsPublished"], before[u"eventsPublished"]);
    QCOMPARE(after[u"history"][u"headId"], before[u"history"][u"headId"]);
}

void TestTestBench::dryRunFollowsFilterAndTarget()
{
    SseClient everything;
    SseClient onlyA;
    const QString all = openStream(everything, "everything");
    const QString a = openStream(onlyA, "only a", "/eventsource/a");
    QVERIFY(!all.isEmpty() && !a.isEmpty());
    const auto wouldReach = [this](const QJsonObject &body) {
        QJsonObject preview = body;
        preview.insert(u"dryRun"_s, true);
        preview.insert(u"data"_s, u"x"_s);
        QStringList ids;
        for (const QJsonValue &id : admin("POST", "/api/push", preview).json()[u"connections"].toArray())
            ids.append(id.toString());
        ids.sort();
        return ids;
    };
    QStringList both{all, a};
    both.sort();
    QCOMPARE(wouldReach({{u"event"_s, u"a"_s}}), both);
    QCOMPARE(wouldReach({{u"event"_s, u"b"_s}}), QStringList{all});
    QCOMPARE(wouldReach({}), QStringList{all}); // a plain message passes no filter
    const QString session = AdminApi::connectionOf(m_server.adminPort(), u"only a"_s)[u"session"].toString();
    QCOMPARE(wouldReach({{u"event"_s, u"a"_s}, {u"target"_s, QJsonObject{{u"sessions"_s, QJsonArray{session}}}}}),
             QStringList{a});
    QCOMPARE(wouldReach({{u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"nobody"_s}}}}}), QStringList{});
}

void TestTestBench::dryRunRefusesWhatPushRefuses_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("dryRun not a bool") << R"({"data": "x", "dryRun": 1})"_ba << u"dryRun"_s;
    QTest::newRow("bad name") << R"({"data": "x", "event": "a\nb", "dryRun": true})"_ba << u"event name"_s;
    QTest::newRow("no data") << R"({"dryRun": true})"_ba << u"data"_s;
}

void TestTestBench::dryRunRefusesWhatPushRefuses()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/push", body);
    QCOMPARE(response.status, 400);
    QVERIFY2(response.json()[u"error"].toString().contains(mentions), response.body.constData());
}

void TestTestBench::deliveryStatusCounts()
{
    SseClient reader;
    SseClient stalled;
    SseClient cut;
    SseClient filtered;
    QVERIFY(!openStream(reader, "reader").isEmpty());
    const QString stalledId = openStream(stalled, "stalled");
    const QString cutId = openStream(cut, "cut");
    QVERIFY(!openStream(filtered, "filtered", "/eventsource/other").isEmpty());
    QCOMPARE(admin("POST", "/api/faults", {{u"type"_s, u"stall"_s}, {u"connection"_s, stalledId},
                                          {u"durationMs"_s, 600000}}).status, 200);
    QCOMPARE(admin("POST", "/api/faults", {{u"type"_s, u"cut"_s}, {u"connection"_s, cutId}}).status, 200);

    const AdminApi::Pushed pushed = AdminApi::pushNamed(m_server.adminPort(), u"e"_s, u"counted"_s);
    QCOMPARE(pushed.delivered, 3);
    QVERIFY(reader.waitForMessages(1));
    QVERIFY(cut.waitForClosed());
    // The reader took it, the stalled stream holds it, the cut one lost it, the filtered one never had it.
    QJsonObject counts = status(pushed.id);
    QCOMPARE(counts, (QJsonObject{{u"id"_s, pushed.id}, {u"delivered"_s, 1}, {u"queued"_s, 1}, {u"dropped"_s, 1}}));

    // A kick sends what the stream holds before closing it: the stalled stream gets it too.
    QCOMPARE(admin("DELETE", "/api/connections/" + stalledId.toUtf8()).status, 200);
    QVERIFY(stalled.waitForClosed());
    QCOMPARE(stalled.messages().size(), 1);
    QTRY_COMPARE(status(pushed.id)[u"queued"].toInt(), 0);
    QCOMPARE(status(pushed.id), (QJsonObject{{u"id"_s, pushed.id}, {u"delivered"_s, 2}, {u"queued"_s, 0}, {u"dropped"_s, 1}}));

    // A later event to the reader alone is delivered at once.
    const AdminApi::Pushed next = AdminApi::pushNamed(m_server.adminPort(), u"e"_s, u"next"_s);
    QVERIFY(reader.waitForMessages(2));
    QCOMPARE(status(next.id), (QJsonObject{{u"id"_s, next.id}, {u"delivered"_s, 1}, {u"queued"_s, 0}, {u"dropped"_s, 0}}));
}

void TestTestBench::deliveryStatusOfUnknownEvent()
{
    const HttpResponse response = admin("GET", "/api/events/nope-1");
    QCOMPARE(response.status, 404);
    QVERIFY(response.json()[u"error"].toString().contains(u"nope-1"));
    QCOMPARE(admin("POST", "/api/events/nope-1").status, 405);
}

void TestTestBench::resumeAudit_data()
{
    QTest::addColumn<QString>("how"); // "none", "header", "query", "unknown"
    QTest::addColumn<QString>("via");
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("replayed");
    QTest::newRow("no id") << u"none"_s << QString() << u"none"_s << 0;
    QTest::newRow("header, exact") << u"header"_s << u"header"_s << u"exact"_s << 2;
    QTest::newRow("query, exact") << u"query"_s << u"query"_s << u"exact"_s << 2;
    // An unknown id gets the gap, then everything retained (-1: the history's size).
    QTest::newRow("unknown id") << u"unknown"_s << u"header"_s << u"unknown"_s << -1;
}

void TestTestBench::resumeAudit()
{
    QFETCH(QString, how);
    QFETCH(QString, via);
    QFETCH(QString, status);
    QFETCH(int, replayed);
    QStringList ids;
    for (int i = 0; i < 3; ++i)
        ids.append(AdminApi::pushNamed(m_server.adminPort(), u"r"_s, QString::number(i)).id);
    const QByteArray agent = "resume " + how.toUtf8();
    QByteArray path = "/eventsource";
    SseClient::Headers headers{{"User-Agent", agent}};
    QString sent;
    if (how == u"header" || how == u"unknown") {
        sent = how == u"header" ? ids.first() : u"zz-99"_s;
        headers.append({"Last-Event-ID", sent.toUtf8()});
    } else if (how == u"query") {
        sent = ids.first();
        path += "?lastEventId=" + QUrl::toPercentEncoding(sent);
    }
    if (replayed < 0)
        replayed = AdminApi::history(m_server.adminPort())[u"size"].toInt();
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), path, headers));
    QCOMPARE(client.status(), 200);
    if (replayed > 0)
        QVERIFY(client.waitForMessages(replayed + (status == u"unknown" ? 1 : 0)));
    const QJsonObject resume = AdminApi::connectionOf(m_server.adminPort(), QString::fromLatin1(agent))[u"resume"].toObject();
    QCOMPARE(resume[u"lastEventId"], sent.isEmpty() ? QJsonValue() : QJsonValue(sent));
    QCOMPARE(resume[u"via"], via.isEmpty() ? QJsonValue() : QJsonValue(via));
    QCOMPARE(resume[u"status"].toString(), status);
    QCOMPARE(resume[u"replayed"].toInt(-1), replayed);
}

void TestTestBench::resumeAuditTooOld()
{
    ServerProcess small;
    QVERIFY2(small.start({u"--history-size"_s, u"2"_s}), small.output().constData());
    QStringList ids;
    for (int i = 0; i < 4; ++i)
        ids.append(AdminApi::pushNamed(small.adminPort(), u"r"_s, QString::number(i)).id);
    SseClient client;
    QVERIFY(client.open(small.publicPort(), "/eventsource", {{"User-Agent", "stale"}, {"Last-Event-ID", ids.first().toUtf8()}}));
    QVERIFY(client.waitForMessages(3)); // the gap, then the two kept
    QCOMPARE(client.messages().first().type, u"eventsource-gap"_s);
    const QJsonObject resume = AdminApi::connectionOf(small.adminPort(), u"stale"_s)[u"resume"].toObject();
    QCOMPARE(resume, (QJsonObject{{u"lastEventId"_s, ids.first()}, {u"via"_s, u"header"_s},
                                  {u"status"_s, u"too-old"_s}, {u"replayed"_s, 2}}));
}

void TestTestBench::traceListsWhatTheStreamReceived()
{
    const QString first = AdminApi::pushNamed(m_server.adminPort(), u"t"_s, u"one"_s).id;
    const QString second = AdminApi::pushNamed(m_server.adminPort(), u"t"_s, u"two"_s).id;
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "traced"}, {"Last-Event-ID", first.toUtf8()}}));
    const QString id = AdminApi::connectionOf(m_server.adminPort(), u"traced"_s)[u"id"].toString();
    SseClient other;
    QVERIFY(other.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "other"}}));
    const QString otherSession = AdminApi::connectionOf(m_server.adminPort(), u"other"_s)[u"session"].toString();
    const QString live = AdminApi::pushNamed(m_server.adminPort(), QString(), u"three"_s).id;
    // Not for it: addressed to the other stream's session only.
    QCOMPARE(AdminApi::push(m_server.adminPort(), QJsonObject{{u"data"_s, u"private"_s},
             {u"target"_s, QJsonObject{{u"sessions"_s, QJsonArray{otherSession}}}}}).status, 200);
    QVERIFY(client.waitForMessages(2));
    const QJsonArray events = admin("GET", "/api/connections/" + id.toUtf8() + "/trace").json()[u"events"].toArray();
    QCOMPARE(events.size(), 2);
    QCOMPARE(events[0][u"id"].toString(), second);
    QCOMPARE(events[0][u"event"].toString(), u"t"_s);
    QCOMPARE(events[0][u"replayed"].toBool(), true);
    QCOMPARE(events[0][u"bytes"].toInt(), SseEncoder::event(second.toUtf8(), "t", "two")->size());
    QCOMPARE(events[1][u"id"].toString(), live);
    QCOMPARE(events[1][u"event"], QJsonValue());
    QCOMPARE(events[1][u"replayed"].toBool(), false);
    QCOMPARE(events[1][u"bytes"].toInt(), SseEncoder::event(live.toUtf8(), {}, "three")->size());
    QVERIFY(QDateTime::fromString(events[1][u"at"].toString(), Qt::ISODateWithMs).isValid());
}

void TestTestBench::traceOfUnknownStream()
{
    QCOMPARE(admin("GET", "/api/connections/424242/trace").status, 404);
    QCOMPARE(admin("POST", "/api/connections/424242/trace").status, 405);
}

void TestTestBench::testModeIdsAndReset()
{
    ServerProcess test;
    QVERIFY2(test.start({u"--test-mode"_s, u"--test-faults"_s}), test.output().constData());
    QCOMPARE(AdminApi::stats(test.adminPort())[u"testMode"].toBool(), true);
    for (int i = 1; i <= 3; ++i)
        QCOMPARE(AdminApi::pushNamed(test.adminPort(), u"e"_s, QString::number(i)).id, u"test-%1"_s.arg(i));
    SseClient stream;
    QVERIFY(stream.open(test.publicPort(), "/eventsource", {{"Last-Event-ID", "test-1"}}));
    QVERIFY(stream.waitForMessages(2));
    QCOMPARE(stream.messages().last().lastEventId, u"test-3"_s);
    QCOMPARE(HttpClient::admin(test.adminPort(), "POST", "/api/faults", R"({"type": "duplicate"})").status, 200);

    const HttpResponse reset = HttpClient::admin(test.adminPort(), "POST", "/api/reset");
    QCOMPARE(reset.status, 200);
    QCOMPARE(reset.json().object(), (QJsonObject{{u"connectionsClosed"_s, 1}, {u"eventsCleared"_s, 3}, {u"faultsRemoved"_s, 1}}));
    QVERIFY(stream.waitForClosed());
    QVERIFY(AdminApi::waitForConnections(test.adminPort(), 0));
    QCOMPARE(AdminApi::history(test.adminPort())[u"size"].toInt(), 0);
    QVERIFY(HttpClient::admin(test.adminPort(), "GET", "/api/faults").json()[u"faults"].toArray().isEmpty());
    QCOMPARE(HttpClient::admin(test.adminPort(), "GET", "/api/events/test-2").status, 404);
    // Ids start again, and a stream opened now is told where the history stands.
    SseClient fresh;
    QVERIFY(fresh.open(test.publicPort(), "/eventsource"));
    const AdminApi::Pushed first = AdminApi::pushNamed(test.adminPort(), u"e"_s, u"again"_s);
    QCOMPARE(first.id, u"test-1"_s);
    QVERIFY(fresh.waitForMessages(1));
    QCOMPARE(fresh.messages().first().lastEventId, u"test-1"_s);
    QCOMPARE(HttpClient::admin(test.adminPort(), "GET", "/api/events/test-1").json()[u"delivered"].toInt(), 1);
    QCOMPARE(HttpClient::admin(test.adminPort(), "GET", "/api/reset").status, 405);
}

void TestTestBench::resetRefusedWithoutTestMode()
{
    const QJsonObject before = AdminApi::history(m_server.adminPort());
    const HttpResponse response = admin("POST", "/api/reset");
    QCOMPARE(response.status, 403);
    QVERIFY(response.json()[u"error"].toString().contains(u"--test-mode"));
    QCOMPARE(AdminApi::history(m_server.adminPort())[u"headId"], before[u"headId"]);
    QCOMPARE(AdminApi::stats(m_server.adminPort())[u"testMode"].toBool(true), false);
}

void TestTestBench::testModeKeepsHistoryInMemory()
{
    QTemporaryDir dir;
    ServerProcess refused;
    QVERIFY(!refused.start({u"--test-mode"_s, u"--data-dir"_s, dir.path()}));
    QVERIFY2(refused.output().contains("--test-mode keeps the history in memory"), refused.output().constData());
}

QTEST_GUILESS_MAIN(TestTestBench)
#include "tst_testbench.moc"
