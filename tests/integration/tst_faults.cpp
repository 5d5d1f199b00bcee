#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"
#include "sseencoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

// Test faults (issue 14) against the real server: what a client sees on the wire for each
// type, byte for byte where it matters, and faults refused without --test-faults.
class TestFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void refusedWithoutFlag();
    void refusesBadFaults_data();
    void refusesBadFaults();
    void unknownConnectionIsNotFound();
    void stallHoldsEverythingUntilRemoved();
    void stallEndsByItself();
    void cutCutsTheFrameAndCloses();
    void duplicateSendsTheEventTwice();
    void malformedLineThenWholeEvent();
    void rejectAnswersStatus_data();
    void rejectAnswersStatus();
    void rejectFollowsTheSession();
    void faultsListedRemovedAndExpired();
    void onInStatsAndMetrics();

private:
    HttpResponse addFault(const QJsonObject &body)
    {
        return HttpClient::admin(m_server.adminPort(), "POST", "/api/faults", QJsonDocument(body).toJson());
    }
    QJsonArray faults()
    {
        return HttpClient::admin(m_server.adminPort(), "GET", "/api/faults").json()[u"faults"].toArray();
    }
    // Opens a stream with this User-Agent and returns its connection id (empty on failure).
    QString openStream(SseClient &client, const QByteArray &userAgent);
    // Pushes {"event": name, "data": data} and returns the id.
    QString push(const QString &name, const QString &data);
    qint64 applied(const char *type)
    {
        return AdminApi::metric(m_server.adminPort(), "eventsource_faults_applied_total{type=\""_ba + type + "\"}");
    }

    ServerProcess m_server;
};

void TestFaults::initTestCase()
{
    QVERIFY2(m_server.start({u"--test-faults"_s}), m_server.output().constData());
}

void TestFaults::init()
{
    for (const QJsonValue &fault : faults())
        HttpClient::admin(m_server.adminPort(), "DELETE", "/api/faults/" + fault[u"id"].toString().toUtf8());
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

QString TestFaults::openStream(SseClient &client, const QByteArray &userAgent)
{
    return AdminApi::openStream(client, m_server.publicPort(), m_server.adminPort(), userAgent);
}

QString TestFaults::push(const QString &name, const QString &data)
{
    return AdminApi::pushNamed(m_server.adminPort(), name, data).id;
}

void TestFaults::refusedWithoutFlag()
{
    ServerProcess plain;
    QVERIFY2(plain.start(), plain.output().constData());
    const QByteArray body = R"({"type": "cut"})";
    for (const auto &[method, target] : {std::pair<QByteArray, QByteArray>{"POST", "/api/faults"},
                                         {"GET", "/api/faults"}, {"DELETE", "/api/faults/fault-1"}}) {
        const HttpResponse response = HttpClient::admin(plain.adminPort(), method, target, body);
        QCOMPARE(response.status, 403);
        QVERIFY2(response.json()[u"error"].toString().contains(u"--test-faults"), response.body.constData());
    }
    QCOMPARE(AdminApi::stats(plain.adminPort())[u"testFaults"].toBool(true), false);
    QCOMPARE(AdminApi::metric(plain.adminPort(), "eventsource_test_faults_enabled"), 0);
    // The admin token is still needed first.
    QCOMPARE(HttpClient::request(plain.adminPort(), "GET", "/api/faults").status, 401);
}

void TestFaults::refusesBadFaults_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("no type") << R"({"connection": "1"})"_ba << u"type"_s;
    QTest::newRow("unknown type") << R"({"type": "explode"})"_ba << u"type"_s;
    QTest::newRow("stall without duration") << R"({"type": "stall"})"_ba << u"durationMs"_s;
    QTest::newRow("stall too long") << R"({"type": "stall", "durationMs": 600001})"_ba << u"durationMs"_s;
    QTest::newRow("stall fractional") << R"({"type": "stall", "durationMs": 1.5})"_ba << u"durationMs"_s;
    QTest::newRow("reject 500") << R"({"type": "reject", "status": 500})"_ba << u"status"_s;
    QTest::newRow("reject count 0") << R"({"type": "reject", "status": 503, "count": 0})"_ba << u"count"_s;
    QTest::newRow("retryAfterS with 401") << R"({"type": "reject", "status": 401, "retryAfterS": 5})"_ba
                                          << u"retryAfterS"_s;
    QTest::newRow("status on a cut") << R"({"type": "cut", "status": 503})"_ba << u"status"_s;
    QTest::newRow("unknown field") << R"({"type": "cut", "conection": "1"})"_ba << u"conection"_s;
    QTest::newRow("both scopes") << R"({"type": "cut", "connection": "1", "target": {"users": ["a"]}})"_ba
                                 << u"either"_s;
    QTest::newRow("bad target") << R"({"type": "cut", "target": {"users": "a"}})"_ba << u"target.users"_s;
    QTest::newRow("expiresInS 0") << R"({"type": "cut", "expiresInS": 0})"_ba << u"expiresInS"_s;
    QTest::newRow("not JSON") << R"({"type": )"_ba << u"JSON"_s;
}

void TestFaults::refusesBadFaults()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, mentions);
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/faults", body);
    QCOMPARE(response.status, 400);
    QVERIFY2(response.json()[u"error"].toString().contains(mentions), response.body.constData());
    QVERIFY(faults().isEmpty());
}

void TestFaults::unknownConnectionIsNotFound()
{
    const HttpResponse response = addFault({{u"type"_s, u"cut"_s}, {u"connection"_s, u"987654"_s}});
    QCOMPARE(response.status, 404);
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "DELETE", "/api/faults/fault-999").status, 404);
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "PUT", "/api/faults").status, 405);
}

void TestFaults::stallHoldsEverythingUntilRemoved()
{
    SseClient stalled;
    SseClient canary;
    const QString id = openStream(stalled, "stalled");
    QVERIFY(!id.isEmpty());
    QVERIFY(!openStream(canary, "canary").isEmpty());
    QVERIFY(stalled.waitForBody("retry:"));
    const qint64 stalledBefore = applied("stall");
    const HttpResponse added = addFault({{u"type"_s, u"stall"_s}, {u"connection"_s, id}, {u"durationMs"_s, 600000}});
    QCOMPARE(added.status, 200);
    QCOMPARE(added.json()[u"affected"].toInt(), 1);
    const QString faultId = added.json()[u"id"].toString();
    QVERIFY(!faultId.isEmpty());
    QCOMPARE(applied("stall"), stalledBefore + 1);

    const QByteArray bodyBefore = stalled.body();
    for (int i = 0; i < 3; ++i)
        QVERIFY(!push(u"tick"_s, QString::number(i)).isEmpty());
    QVERIFY(canary.waitForMessages(3));
    // The canary got all three; the stalled stream not one byte.
    stalled.readFor(300);
    QCOMPARE(stalled.body(), bodyBefore);
    const QJsonArray listed = faults();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed[0][u"pending"].toArray(), QJsonArray{id});

    QCOMPARE(HttpClient::admin(m_server.adminPort(), "DELETE", "/api/faults/" + faultId.toUtf8()).status, 200);
    QVERIFY(stalled.waitForMessages(3));
    QCOMPARE(stalled.messages().size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(stalled.messages()[i].data, QString::number(i));
    QVERIFY(faults().isEmpty());
}

void TestFaults::stallEndsByItself()
{
    SseClient stalled;
    const QString id = openStream(stalled, "stalled briefly");
    QVERIFY(!id.isEmpty());
    QCOMPARE(addFault({{u"type"_s, u"stall"_s}, {u"connection"_s, id}, {u"durationMs"_s, 200}}).status, 200);
    QVERIFY(!push(u"tick"_s, u"late"_s).isEmpty());
    QVERIFY(stalled.waitForMessages(1));
    QCOMPARE(stalled.messages().last().data, u"late"_s);
    QTRY_VERIFY_WITH_TIMEOUT(faults().isEmpty(), 10000);
}

void TestFaults::cutCutsTheFrameAndCloses()
{
    SseClient cut;
    SseClient other;
    const QString id = openStream(cut, "cut");
    QVERIFY(!id.isEmpty());
    QVERIFY(!openStream(other, "not cut").isEmpty());
    const qint64 cutsBefore = applied("cut");
    QCOMPARE(addFault({{u"type"_s, u"cut"_s}, {u"connection"_s, id}}).json()[u"affected"].toInt(), 1);
    const QString data = QString(u'x').repeated(40);
    const QString eventId = push(u"big"_s, data);
    QVERIFY(!eventId.isEmpty());
    QVERIFY(cut.waitForClosed());
    const QByteArray frame = *SseEncoder::event(eventId.toUtf8(), "big", data.toUtf8());
    QVERIFY2(cut.body().endsWith(frame.left(frame.size() / 2)), cut.body().constData());
    QVERIFY(!cut.body().contains(frame));
    QVERIFY(cut.messages().isEmpty());
    // Only that stream: the other got the event whole and stays open.
    QVERIFY(other.waitForMessages(1));
    QCOMPARE(other.messages().first().data, data);
    QVERIFY(other.body().contains(frame));
    QVERIFY(!other.isClosed());
    QCOMPARE(applied("cut"), cutsBefore + 1);
    QVERIFY(faults().isEmpty());
}

void TestFaults::duplicateSendsTheEventTwice()
{
    SseClient client;
    const QString id = openStream(client, "duplicated");
    QVERIFY(!id.isEmpty());
    QCOMPARE(addFault({{u"type"_s, u"duplicate"_s}, {u"connection"_s, id}}).status, 200);
    const QString first = push(u"e"_s, u"once"_s);
    const QString second = push(u"e"_s, u"after"_s);
    QVERIFY(client.waitForMessages(3));
    const QByteArray frame = *SseEncoder::event(first.toUtf8(), "e", "once");
    QVERIFY2(client.body().contains(frame + frame), client.body().constData());
    QCOMPARE(client.messages().size(), 3);
    QCOMPARE(client.messages()[0].lastEventId, first);
    QCOMPARE(client.messages()[1].lastEventId, first);
    QCOMPARE(client.messages()[1].data, u"once"_s);
    // Only the next event: the one after goes once.
    QCOMPARE(client.messages()[2].lastEventId, second);
    client.readFor(100);
    QCOMPARE(client.messages().size(), 3);
}

void TestFaults::malformedLineThenWholeEvent()
{
    SseClient client;
    const QString id = openStream(client, "malformed");
    QVERIFY(!id.isEmpty());
    const qint64 before = applied("malformed");
    QCOMPARE(addFault({{u"type"_s, u"malformed"_s}, {u"connection"_s, id}}).status, 200);
    const QString eventId = push(u"e"_s, u"{\"whole\": true}"_s);
    QVERIFY(client.waitForMessages(1));
    const QByteArray frame = *SseEncoder::event(eventId.toUtf8(), "e", "{\"whole\": true}");
    // A line without a colon, starting with a byte that is not UTF-8, in the event's block.
    QVERIFY2(client.body().contains("\xFFmalformed field line\n" + frame), client.body().toPercentEncoding().constData());
    QCOMPARE(client.messages().first().data, u"{\"whole\": true}"_s);
    QCOMPARE(client.messages().first().lastEventId, eventId);
    QCOMPARE(applied("malformed"), before + 1);
}

void TestFaults::rejectAnswersStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("retryAfter");
    QTest::newRow("204") << 204 << 0;
    QTest::newRow("401") << 401 << 0;
    QTest::newRow("429") << 429 << 7;
    QTest::newRow("503") << 503 << 30;
    QTest::newRow("503 without Retry-After") << 503 << 0;
}

void TestFaults::rejectAnswersStatus()
{
    QFETCH(int, status);
    QFETCH(int, retryAfter);
    QJsonObject fault{{u"type"_s, u"reject"_s}, {u"status"_s, status}, {u"count"_s, 2}};
    if (retryAfter > 0)
        fault.insert(u"retryAfterS"_s, retryAfter);
    const HttpResponse added = addFault(fault);
    QCOMPARE(added.status, 200);
    QCOMPARE(faults()[0][u"remaining"].toInt(), 2);
    const qint64 before = applied("reject");
    for (int i = 0; i < 2; ++i) {
        const HttpResponse refused = HttpClient::request(m_server.publicPort(), "GET", "/eventsource");
        QCOMPARE(refused.status, status);
        QCOMPARE(refused.header("Retry-After"), retryAfter > 0 ? QByteArray::number(retryAfter) : QByteArray());
        QCOMPARE(refused.header("WWW-Authenticate").isEmpty(), status != 401);
        if (status == 204)
            QVERIFY(refused.body.isEmpty());
        else
            QVERIFY(refused.json()[u"error"].toString().contains(u"test fault"));
    }
    QCOMPARE(applied("reject"), before + 2);
    QVERIFY(faults().isEmpty());
    SseClient third;
    QVERIFY(third.open(m_server.publicPort(), "/eventsource"));
    QCOMPARE(third.status(), 200);
}

void TestFaults::rejectFollowsTheSession()
{
    SseClient first;
    QVERIFY(first.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "session owner"}}));
    const QByteArray cookie = first.header("Set-Cookie").split(';').first();
    QVERIFY2(cookie.startsWith("eventsource_session="), cookie.constData());
    const QString id = AdminApi::connectionOf(m_server.adminPort(), u"session owner"_s)[u"id"].toString();
    QCOMPARE(addFault({{u"type"_s, u"reject"_s}, {u"status"_s, 503}, {u"connection"_s, id}}).status, 200);
    // Another session is not refused; the stream's own session is, once.
    SseClient stranger;
    QVERIFY(stranger.open(m_server.publicPort(), "/eventsource"));
    QCOMPARE(stranger.status(), 200);
    QCOMPARE(HttpClient::request(m_server.publicPort(), "GET", "/eventsource", {}, {{"Cookie", cookie}}).status, 503);
    SseClient again;
    QVERIFY(again.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie}}));
    QCOMPARE(again.status(), 200);
}

void TestFaults::faultsListedRemovedAndExpired()
{
    SseClient a;
    SseClient b;
    QVERIFY(!openStream(a, "a").isEmpty());
    QVERIFY(!openStream(b, "b").isEmpty());
    // No scope: every stream.
    const HttpResponse added = addFault({{u"type"_s, u"duplicate"_s}, {u"expiresInS"_s, 1}});
    QCOMPARE(added.json()[u"affected"].toInt(), 2);
    const QJsonArray listed = faults();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed[0][u"type"].toString(), u"duplicate"_s);
    QCOMPARE(listed[0][u"pending"].toArray().size(), 2);
    QVERIFY(!listed[0][u"expiresAt"].toString().isEmpty());
    // It withdraws itself when it expires: the next event goes once.
    QTRY_VERIFY_WITH_TIMEOUT(faults().isEmpty(), 10000);
    const QString eventId = push(u"e"_s, u"single"_s);
    QVERIFY(a.waitForMessages(1));
    a.readFor(100);
    QCOMPARE(a.messages().size(), 1);
    QCOMPARE(a.messages().first().lastEventId, eventId);

    const QString faultId = addFault({{u"type"_s, u"cut"_s}}).json()[u"id"].toString();
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "DELETE", "/api/faults/" + faultId.toUtf8()).status, 200);
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "DELETE", "/api/faults/" + faultId.toUtf8()).status, 404);
    QVERIFY(!push(u"e"_s, u"not cut"_s).isEmpty());
    QVERIFY(b.waitForMessages(2));
    QVERIFY(!b.isClosed());
}

void TestFaults::onInStatsAndMetrics()
{
    QCOMPARE(AdminApi::stats(m_server.adminPort())[u"testFaults"].toBool(), true);
    QCOMPARE(AdminApi::metric(m_server.adminPort(), "eventsource_test_faults_enabled"), 1);
    QVERIFY(AdminApi::metric(m_server.adminPort(), "eventsource_faults_created_total{type=\"stall\"}") >= 0);
    QVERIFY(m_server.output().contains("test faults are on"));
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
