// A batch publish (issue 16): POST /api/push with an array of push bodies, checked whole
// before any of it is published, answered with an array of {"id", "delivered"} in order.
#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_BatchPublish : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void deliversInOrder();
    void refusesTheWholeBatch_data();
    void refusesTheWholeBatch();
    void largestBatch();
    void refusesInvalidJson();

private:
    QByteArray batchOf(int count) const;

    ServerProcess m_server;
};

void tst_BatchPublish::initTestCase()
{
    QVERIFY2(m_server.start({u"--history-size"_s, u"5000"_s}), m_server.output().constData());
}

QByteArray tst_BatchPublish::batchOf(int count) const
{
    QJsonArray events;
    for (int i = 0; i < count; ++i)
        events.append(QJsonObject{{u"event"_s, u"n"_s}, {u"data"_s, QString::number(i)}});
    return QJsonDocument(events).toJson(QJsonDocument::Compact);
}

void tst_BatchPublish::deliversInOrder()
{
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource"));
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 1));

    const HttpResponse response = HttpClient::admin(
        m_server.adminPort(), "POST", "/api/push",
        R"([{"event":"a","data":"one"},{"data":"two"},{"event":"b","data":{"n":3}},{"data":"four","target":{"users":["nobody"]}}])");
    QCOMPARE(response.status, 200);
    QVERIFY(response.header("Content-Type").startsWith("application/json"));
    const QJsonArray answers = response.json().array();
    QCOMPARE(answers.size(), 4);
    QStringList ids;
    for (const QJsonValue &answer : answers) {
        QCOMPARE(answer.toObject().keys(), (QStringList{u"delivered"_s, u"id"_s}));
        ids.append(answer[u"id"].toString());
    }
    QCOMPARE(answers[0][u"delivered"].toInt(-1), 1);
    QCOMPARE(answers[3][u"delivered"].toInt(-1), 0); // targeted at nobody who is listening
    for (int i = 1; i < ids.size(); ++i)
        QVERIFY2(SseClient::sequenceOf(ids[i]) > SseClient::sequenceOf(ids[i - 1]), qPrintable(ids.join(u' ')));

    QVERIFY(client.waitForMessages(3));
    const QList<SseMessage> expected{SseClient::messageOf(u"a"_s, u"one"_s, ids[0]),
                                     SseClient::messageOf({}, u"two"_s, ids[1]),
                                     SseClient::messageOf(u"b"_s, uR"({"n":3})"_s, ids[2])};
    QCOMPARE(client.messages(), expected);
}

void tst_BatchPublish::refusesTheWholeBatch_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");

    QTest::addRow("empty") << "[]"_ba << 400 << u"1 to 1000 events; this one has 0"_s;
    QTest::addRow("too many") << batchOf(1001) << 400 << u"1 to 1000 events; this one has 1001"_s;
    QTest::addRow("not an object") << R"([{"data":"ok"},"x"])"_ba << 400 << u"event 1 of the batch: must be"_s;
    QTest::addRow("no data") << R"([{"data":"ok"},{"event":"a"}])"_ba << 400 << u"event 1 of the batch:"_s;
    QTest::addRow("unknown field") << R"([{"data":"ok","colour":1}])"_ba << 400 << u"event 0 of the batch:"_s;
    QTest::addRow("bad name") << R"([{"data":"ok"},{"event":"a,b","data":"x"}])"_ba << 400
                              << u"event 1 of the batch: event name"_s;
    QTest::addRow("NUL in data") << R"([{"data":"ok"},{"data":"a\u0000b"}])"_ba << 400
                                 << u"event 1 of the batch: data must not contain NUL"_s;
    QTest::addRow("too large") << QByteArray(R"([{"data":"ok"},{"data":")" + QByteArray(70 * 1024, 'x') + R"("}])")
                               << 413 << u"event 1 of the batch: event data is"_s;
    QTest::addRow("dry run") << R"([{"data":"ok"},{"data":"x","dryRun":true}])"_ba << 400
                             << u"event 1 of the batch: a dry run"_s;
}

// Nothing of a refused batch is published: not the valid events before the bad one either.
void tst_BatchPublish::refusesTheWholeBatch()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);

    const QString headBefore = AdminApi::history(m_server.adminPort()).value(u"headId"_s).toString();
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/push", body);
    QCOMPARE(response.status, status);
    const QString message = response.json().object().value(u"error"_s).toString();
    QVERIFY2(message.contains(error), qPrintable(message));
    QCOMPARE(AdminApi::history(m_server.adminPort()).value(u"headId"_s).toString(), headBefore);
}

void tst_BatchPublish::largestBatch()
{
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/push", batchOf(1000));
    QCOMPARE(response.status, 200);
    const QJsonArray answers = response.json().array();
    QCOMPARE(answers.size(), 1000);
    QCOMPARE(AdminApi::history(m_server.adminPort()).value(u"headId"_s).toString(), answers.last()[u"id"].toString());
}

void tst_BatchPublish::refusesInvalidJson()
{
    for (const QByteArray &body : {"[1"_ba, "\"x\""_ba, "7"_ba, ""_ba}) {
        const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/push", body);
        QCOMPARE(response.status, 400);
        QVERIFY2(response.json().object().value(u"error"_s).toString().contains(u"not valid JSON"_s),
                 response.body.constData());
    }
}

QTEST_GUILESS_MAIN(tst_BatchPublish)
#include "tst_batchpublish.moc"
