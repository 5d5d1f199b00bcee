#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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
    if (!client.open(m_server.publicPort(), path, {{"User-Agent", userAgent}}) || client.status() != 200)
        return {};
    return AdminApi::connectionOf(m_server.adminPort(), QString::fromLatin1(userAgent))[u"id"].toString();
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

QTEST_GUILESS_MAIN(TestTestBench)
#include "tst_testbench.moc"
