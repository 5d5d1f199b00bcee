#include "adminapi.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

// Last-Event-ID resume against the real server: exact replay, gaps, refusals, persistence
// across a restart and the graceful shutdown.
namespace {

const QString gapType = QStringLiteral("eventsource-gap");
const QString gapTooOld = QStringLiteral(R"({"reason":"too-old"})");
const QString gapUnknown = QStringLiteral(R"({"reason":"unknown"})");

using Pushed = AdminApi::Pushed;

// Opens path resuming from id, by header or by the ?lastEventId= query of polyfills.
bool openResuming(SseClient &client, quint16 port, const QByteArray &path, const QString &id, bool query)
{
    if (query)
        return client.open(port, path + "?lastEventId=" + QUrl::toPercentEncoding(id));
    return client.open(port, path, {{"Last-Event-ID", id.toUtf8()}});
}

// Pushes a live event named "a" (every stream here accepts it) and checks that the stream
// got exactly `expected` before it: nothing missing, nothing extra, nothing out of order.
// A gap message is compared by type and data only (it carries no event id of its own).
void expectExactly(SseClient &client, quint16 adminPort, QList<SseMessage> expected)
{
    const Pushed live = AdminApi::pushNamed(adminPort, QStringLiteral("a"), QStringLiteral("live"));
    QCOMPARE(live.status, 200);
    expected.append(SseClient::messageOf(QStringLiteral("a"), QStringLiteral("live"), live.id));
    const bool arrived = client.waitForMessages(int(expected.size()));
    const QList<SseMessage> &received = client.messages();
    QString got;
    for (const SseMessage &m : received)
        got += QStringLiteral("[%1 id=%2 data=%3] ").arg(m.type, m.lastEventId, m.data);
    QVERIFY2(arrived, qPrintable(QStringLiteral("expected %1 messages, got: %2").arg(expected.size()).arg(got)));
    QCOMPARE(received.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(received[i].type, expected[i].type);
        QCOMPARE(received[i].data, expected[i].data);
        if (expected[i].type != gapType)
            QCOMPARE(received[i].lastEventId, expected[i].lastEventId);
    }
}

} // namespace

class tst_Replay final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void resume_data();
    void resume();
    void tooOld_data();
    void tooOld();
    void unknownId_data();
    void unknownId();
    void lastEventIdLimits_data();
    void lastEventIdLimits();
    void persistenceAcrossRestart_data();
    void persistenceAcrossRestart();
    void idFromOtherDataDirIsUnknown();
    void gracefulShutdown();
    void historySizeZero_data();
    void historySizeZero();

private:
    // Pushes one event per name (data "<tag> <i>") and returns them as a stream would show them.
    QList<SseMessage> pushAll(quint16 adminPort, const QStringList &names);

    ServerProcess m_server; // default history
    ServerProcess m_small;  // --history-size 3
    ServerProcess m_zero;   // --history-size 0
};

void tst_Replay::initTestCase()
{
    QVERIFY2(m_server.start(), m_server.output().constData());
    QVERIFY2(m_small.start({QStringLiteral("--history-size"), QStringLiteral("3")}), m_small.output().constData());
    QVERIFY2(m_zero.start({QStringLiteral("--history-size"), QStringLiteral("0")}), m_zero.output().constData());
}

void tst_Replay::cleanup()
{
    for (ServerProcess *server : {&m_server, &m_small, &m_zero})
        QTRY_COMPARE_WITH_TIMEOUT(AdminApi::connections(server->adminPort()), 0, 5000);
}

QList<SseMessage> tst_Replay::pushAll(quint16 adminPort, const QStringList &names)
{
    QList<SseMessage> pushed;
    for (int i = 0; i < names.size(); ++i) {
        const QString data = QStringLiteral("%1 %2").arg(QString::fromLatin1(QTest::currentDataTag())).arg(i);
        const Pushed result = AdminApi::pushNamed(adminPort, names[i], data);
        if (result.status != 200 || result.id.isEmpty())
            return {};
        pushed.append(SseClient::messageOf(names[i], data, result.id));
    }
    return pushed;
}

void tst_Replay::resume_data()
{
    QTest::addColumn<bool>("query"); // else the Last-Event-ID header
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QStringList>("names"); // pushed before the stream opens; "" is unnamed
    QTest::addColumn<int>("from");          // resume after this one
    QTest::addColumn<QList<int>>("expected");

    const QStringList five{"", "a", "b", "", "a"};
    for (const bool query : {false, true}) {
        const char *how = query ? "query" : "header";
        QTest::addRow("%s, after the first", how) << query << QByteArray("/eventsource") << five << 0
                                                  << QList<int>{1, 2, 3, 4};
        QTest::addRow("%s, after the middle", how) << query << QByteArray("/eventsource") << five << 2
                                                   << QList<int>{3, 4};
        QTest::addRow("%s, from the head id: nothing", how) << query << QByteArray("/eventsource") << five << 4
                                                            << QList<int>{};
        QTest::addRow("%s, filter a", how) << query << QByteArray("/eventsource/a")
                                           << QStringList{"a", "b", "", "a", "c", "a"} << 0 << QList<int>{3, 5};
        QTest::addRow("%s, filter a,b", how) << query << QByteArray("/eventsource/a,b")
                                             << QStringList{"c", "b", "", "c", "a"} << 0 << QList<int>{1, 4};
        QTest::addRow("%s, filter, nothing matching", how) << query << QByteArray("/eventsource/a")
                                                           << QStringList{"a", "b", "", "c"} << 0 << QList<int>{};
    }
}

void tst_Replay::resume()
{
    QFETCH(bool, query);
    QFETCH(QByteArray, path);
    QFETCH(QStringList, names);
    QFETCH(int, from);
    QFETCH(QList<int>, expected);

    const QList<SseMessage> pushed = pushAll(m_server.adminPort(), names);
    QCOMPARE(pushed.size(), names.size());
    SseClient client;
    QVERIFY(openResuming(client, m_server.publicPort(), path, pushed[from].lastEventId, query));
    QCOMPARE(client.status(), 200);
    QList<SseMessage> wanted;
    for (const int i : expected)
        wanted.append(pushed[i]);
    expectExactly(client, m_server.adminPort(), wanted);
}

void tst_Replay::tooOld_data()
{
    QTest::addColumn<int>("from"); // among six pushes; the log keeps the last three (3, 4, 5)
    QTest::addColumn<bool>("gap");
    QTest::addColumn<QList<int>>("expected");

    QTest::newRow("long dropped") << 0 << true << QList<int>{3, 4, 5};
    QTest::newRow("just dropped") << 1 << true << QList<int>{3, 4, 5};
    QTest::newRow("right before the oldest kept") << 2 << false << QList<int>{3, 4, 5};
    QTest::newRow("within the kept ones") << 4 << false << QList<int>{5};
}

void tst_Replay::tooOld()
{
    QFETCH(int, from);
    QFETCH(bool, gap);
    QFETCH(QList<int>, expected);

    const QList<SseMessage> pushed = pushAll(m_small.adminPort(), {"a", "", "b", "a", "", "b"});
    QCOMPARE(pushed.size(), 6);
    SseClient client;
    QVERIFY(openResuming(client, m_small.publicPort(), "/eventsource", pushed[from].lastEventId, false));
    QCOMPARE(client.status(), 200);
    QList<SseMessage> wanted;
    if (gap)
        wanted.append({gapType, gapTooOld, {}});
    for (const int i : expected)
        wanted.append(pushed[i]);
    expectExactly(client, m_small.adminPort(), wanted);
}

void tst_Replay::unknownId_data()
{
    QTest::addColumn<QString>("id"); // EPOCH: this server's epoch, HEAD: its head sequence
    QTest::addColumn<bool>("query");

    QTest::newRow("garbage") << QStringLiteral("not-an-id") << false;
    QTest::newRow("garbage by query") << QStringLiteral("garbage!") << true;
    QTest::newRow("other epoch") << QStringLiteral("zzz-5") << false;
    QTest::newRow("other epoch by query") << QStringLiteral("zzz-5") << true;
    QTest::newRow("future sequence") << QStringLiteral("EPOCH-HEAD+100") << false;
    QTest::newRow("no sequence") << QStringLiteral("EPOCH-") << false;
    QTest::newRow("no epoch") << QStringLiteral("-1") << false;
    QTest::newRow("number only") << QStringLiteral("12345") << false;
}

void tst_Replay::unknownId()
{
    QFETCH(QString, id);
    QFETCH(bool, query);

    const QList<SseMessage> pushed = pushAll(m_small.adminPort(), {"a", "b", "", "a"});
    QCOMPARE(pushed.size(), 4);
    const QString head = pushed.last().lastEventId;
    id.replace(QStringLiteral("HEAD+100"), QString::number(SseClient::sequenceOf(head) + 100));
    id.replace(QStringLiteral("EPOCH"), SseClient::epochOf(head));
    SseClient client;
    QVERIFY(openResuming(client, m_small.publicPort(), "/eventsource", id, query));
    QCOMPARE(client.status(), 200);
    expectExactly(client, m_small.adminPort(), {{gapType, gapUnknown, {}}, pushed[1], pushed[2], pushed[3]});
}

void tst_Replay::lastEventIdLimits_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("header"); // Last-Event-ID, when not empty
    QTest::addColumn<int>("status");

    QTest::newRow("query with LF") << QByteArray("/eventsource?lastEventId=a%0Ab") << QByteArray() << 400;
    QTest::newRow("query with CR") << QByteArray("/eventsource?lastEventId=%0D") << QByteArray() << 400;
    QTest::newRow("query with NUL") << QByteArray("/eventsource?lastEventId=a%00") << QByteArray() << 400;
    QTest::newRow("query of 300 bytes") << "/eventsource?lastEventId=" + QByteArray(300, '7') << QByteArray()
                                        << 400;
    QTest::newRow("header of 300 bytes") << QByteArray("/eventsource") << QByteArray(300, '7') << 400;
    QTest::newRow("filtered, header of 300 bytes") << QByteArray("/eventsource/a") << QByteArray(300, '7')
                                                   << 400;
    QTest::newRow("query of 256 bytes") << "/eventsource?lastEventId=" + QByteArray(256, '7') << QByteArray()
                                        << 200;
    QTest::newRow("header of 256 bytes") << QByteArray("/eventsource") << QByteArray(256, '7') << 200;
}

void tst_Replay::lastEventIdLimits()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, header);
    QFETCH(int, status);

    SseClient client;
    SseClient::Headers headers;
    if (!header.isEmpty())
        headers.append(std::pair<QByteArray, QByteArray>("Last-Event-ID", header));
    QVERIFY(client.open(m_server.publicPort(), target, headers));
    QCOMPARE(client.status(), status);
    if (status == 400) {
        QVERIFY(client.waitForBody("}"));
        QVERIFY2(QJsonDocument::fromJson(client.body()).object().contains(QStringLiteral("error")),
                 client.body().constData());
    } else {
        // Accepted but no id this log knows.
        QVERIFY(client.waitForMessages(1));
        QCOMPARE(client.messages().first().type, gapType);
        QCOMPARE(client.messages().first().data, gapUnknown);
    }
}

void tst_Replay::persistenceAcrossRestart_data()
{
    QTest::addColumn<QStringList>("names"); // pushed before the restart; "" is unnamed

    QTest::newRow("named events") << QStringList{"a", "b", "a", "b", "a"};
    QTest::newRow("unnamed events") << QStringList{"", "", "", "", ""};
    QTest::newRow("named and unnamed") << QStringList{"a", "", "b", "", "a"};
}

void tst_Replay::persistenceAcrossRestart()
{
    QFETCH(QStringList, names);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList arguments{QStringLiteral("--data-dir"), dir.path()};
    QList<SseMessage> pushed;
    {
        ServerProcess first;
        QVERIFY2(first.start(arguments), first.output().constData());
        QVERIFY(AdminApi::history(first.adminPort()).value(QStringLiteral("persistent")).toBool());
        pushed = pushAll(first.adminPort(), names);
        QCOMPARE(pushed.size(), 5);
        QCOMPARE(first.stop(), 0);
    }
    const QString noted = pushed[1].lastEventId;
    const QString head = pushed.last().lastEventId;

    ServerProcess second;
    QVERIFY2(second.start(arguments), second.output().constData());
    const QJsonObject restored = AdminApi::history(second.adminPort());
    QCOMPARE(restored.value(QStringLiteral("headId")).toString(), head);
    QVERIFY(restored.value(QStringLiteral("persistent")).toBool());

    SseClient client;
    QVERIFY(openResuming(client, second.publicPort(), "/eventsource", noted, false));
    QCOMPARE(client.status(), 200);
    expectExactly(client, second.adminPort(), {pushed[2], pushed[3], pushed[4]});
    if (QTest::currentTestFailed())
        return;
    const QString after = client.messages().last().lastEventId;
    QCOMPARE(SseClient::epochOf(after), SseClient::epochOf(head));
    QVERIFY2(SseClient::sequenceOf(after) > SseClient::sequenceOf(head), qPrintable(head + u' ' + after));
    QCOMPARE(AdminApi::history(second.adminPort()).value(QStringLiteral("headId")).toString(), after);
}

void tst_Replay::idFromOtherDataDirIsUnknown()
{
    QTemporaryDir dirA;
    QTemporaryDir dirB;
    QVERIFY(dirA.isValid() && dirB.isValid());
    ServerProcess serverA;
    QVERIFY2(serverA.start({QStringLiteral("--data-dir"), dirA.path()}), serverA.output().constData());
    const QList<SseMessage> fromA = pushAll(serverA.adminPort(), {"a", "a", "a"});
    QCOMPARE(fromA.size(), 3);
    QCOMPARE(serverA.stop(), 0);

    ServerProcess serverB;
    QVERIFY2(serverB.start({QStringLiteral("--data-dir"), dirB.path()}), serverB.output().constData());
    const QList<SseMessage> fromB = pushAll(serverB.adminPort(), {"a", "", "b"});
    QCOMPARE(fromB.size(), 3);
    // Only the epoch tells the two histories apart: the sequence exists on both.
    const QString foreign = fromA[1].lastEventId;
    QVERIFY2(SseClient::epochOf(foreign) != SseClient::epochOf(fromB[0].lastEventId), qPrintable(foreign));
    QVERIFY(SseClient::sequenceOf(foreign) <= SseClient::sequenceOf(fromB.last().lastEventId));

    SseClient client;
    QVERIFY(openResuming(client, serverB.publicPort(), "/eventsource", foreign, false));
    QCOMPARE(client.status(), 200);
    expectExactly(client, serverB.adminPort(), {{gapType, gapUnknown, {}}, fromB[0], fromB[1], fromB[2]});
}

void tst_Replay::gracefulShutdown()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--retry-ms"), QStringLiteral("4321")}), server.output().constData());
    SseClient all;
    SseClient filtered;
    QVERIFY(all.open(server.publicPort(), "/eventsource"));
    QVERIFY(filtered.open(server.publicPort(), "/eventsource/a"));
    const Pushed pushed = AdminApi::pushNamed(server.adminPort(), QStringLiteral("a"), QStringLiteral("before stop"));
    QCOMPARE(pushed.delivered, 2);
    QVERIFY(all.waitForMessages(1));
    QVERIFY(filtered.waitForMessages(1));

    QCOMPARE(server.stop(), 0);
    const QByteArray retry = "retry: 4321\n\n";
    for (SseClient *client : {&all, &filtered}) {
        QVERIFY(client->waitForClosed());
        // One retry opened the stream, one more closes it, and nothing follows it.
        QCOMPARE(client->body().count(retry), 2);
        QVERIFY2(client->body().endsWith(retry), client->body().constData());
        QVERIFY(client->body().indexOf(retry, 1) > client->body().indexOf("data: before stop"));
        QCOMPARE(client->parser().retryMs(), qint64(4321));
        QCOMPARE(client->messages().size(), 1);
    }
}

void tst_Replay::historySizeZero_data()
{
    QTest::addColumn<int>("from"); // among two pushes; -1: an unknown id
    QTest::addColumn<QString>("gap");

    QTest::newRow("from the head: nothing") << 1 << QString();
    QTest::newRow("from an older id: too-old") << 0 << gapTooOld;
    QTest::newRow("unknown id") << -1 << gapUnknown;
}

void tst_Replay::historySizeZero()
{
    QFETCH(int, from);
    QFETCH(QString, gap);

    const QList<SseMessage> pushed = pushAll(m_zero.adminPort(), {"a", "a"});
    QCOMPARE(pushed.size(), 2);
    QCOMPARE(AdminApi::history(m_zero.adminPort()).value(QStringLiteral("size")).toInt(-1), 0);
    SseClient client;
    QVERIFY(openResuming(client, m_zero.publicPort(), "/eventsource",
                         from < 0 ? QStringLiteral("zzz-1") : pushed[from].lastEventId, false));
    QCOMPARE(client.status(), 200);
    QList<SseMessage> wanted;
    if (!gap.isEmpty())
        wanted.append({gapType, gap, {}});
    expectExactly(client, m_zero.adminPort(), wanted);
}

QTEST_GUILESS_MAIN(tst_Replay)
#include "tst_replay.moc"
