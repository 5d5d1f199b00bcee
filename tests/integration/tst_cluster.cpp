// Several nodes on one Redis (issue 12), against the real binaries: a redis-server of the
// test's own and three eventsource-server nodes on loopback.
#include "adminapi.h"
#include "httpclient.h"
#include "jwt.h"
#include "passwordhash.h"
#include "redisconnection.h"
#include "redisprocess.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QTest>
#include <QWebSocket>

#include <array>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray jwtSecret = "cluster-test-secret-0123456789abcdef";
constexpr int nodeCount = 3;

// A stream token for a user, in some groups.
QByteArray tokenFor(const QString &user, const QStringList &groups = {})
{
    QJsonArray groupList;
    for (const QString &group : groups)
        groupList.append(QJsonObject{{u"id"_s, group}, {u"name"_s, group}});
    const QJsonObject claims{{u"sub"_s, user}, {u"groups"_s, groupList},
                             {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}};
    return "Bearer " + Jwt::sign(claims, jwtSecret);
}

QStringList dataOf(const QList<SseMessage> &messages)
{
    QStringList out;
    for (const SseMessage &message : messages)
        out.append(message.data);
    return out;
}

} // namespace

class tst_Cluster final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void pushReachesEveryNode();
    void targetedPushAcrossNodes();
    void resumeOnAnotherNode();
    void resumeFromAFutureId();
    void pauseAndKickAcrossNodes();
    void presenceListsEveryNode();
    void nodeIdInUseIsRefused();
    void controlChannelSeesEveryNode();
    void sessionsAcrossNodes();
    void foreignEntriesAreSkipped();
    void publishWhileRedisDown();
    void redisRestartDuringBurst();
    void redisLostItsDataSignalsGap();
    void nodeStartedBeforeRedis();
    void badRedisUrlIsAConfigurationError();

private:
    bool startNodes(const QStringList &extra = {});
    quint16 admin(int node) const { return m_nodes[size_t(node)]->adminPort(); }
    quint16 pub(int node) const { return m_nodes[size_t(node)]->publicPort(); }
    // Opens a stream on a node and waits until it stands at the cluster's head.
    std::unique_ptr<SseClient> stream(int node, const SseClient::Headers &headers = {});

    std::unique_ptr<RedisProcess> m_redis;
    std::array<std::unique_ptr<ServerProcess>, nodeCount> m_nodes;
};

void tst_Cluster::init()
{
    m_redis = std::make_unique<RedisProcess>();
    QVERIFY2(m_redis->start(), m_redis->output().constData());
}

void tst_Cluster::cleanup()
{
    for (auto &node : m_nodes)
        node.reset();
    m_redis.reset();
}

bool tst_Cluster::startNodes(const QStringList &extra)
{
    for (int i = 0; i < nodeCount; ++i) {
        m_nodes[size_t(i)] = std::make_unique<ServerProcess>();
        QStringList arguments{u"--redis"_s, m_redis->url(), u"--node-id"_s, u"node%1"_s.arg(i),
                              u"--jwt-secret"_s, QString::fromLatin1(jwtSecret), u"--redis-timeout-ms"_s, u"1000"_s};
        if (!m_nodes[size_t(i)]->start(arguments + extra)) {
            qWarning().noquote() << m_nodes[size_t(i)]->output();
            return false;
        }
    }
    // Every node has joined the shared history.
    for (int i = 0; i < nodeCount; ++i) {
        QElapsedTimer waited;
        waited.start();
        while (AdminApi::history(admin(i)).value(u"headId"_s).toString().isEmpty() && waited.elapsed() < 10000)
            QTest::qWait(20);
    }
    return true;
}

std::unique_ptr<SseClient> tst_Cluster::stream(int node, const SseClient::Headers &headers)
{
    auto client = std::make_unique<SseClient>();
    if (!client->open(pub(node), "/eventsource", headers) || client->status() != 200)
        return nullptr;
    if (!client->waitForBody("id: "))
        return nullptr;
    return client;
}

// A push on one node reaches the streams of every node, with the same id everywhere, in the
// same order, and the answer counts the answering node's streams.
void tst_Cluster::pushReachesEveryNode()
{
    QVERIFY(startNodes());
    std::array<std::unique_ptr<SseClient>, nodeCount> streams;
    for (int i = 0; i < nodeCount; ++i) {
        streams[size_t(i)] = stream(i);
        QVERIFY(streams[size_t(i)]);
    }
    QStringList ids;
    for (int i = 0; i < 6; ++i) {
        const AdminApi::Pushed pushed = AdminApi::pushNamed(admin(i % nodeCount), u"tick"_s, u"n%1"_s.arg(i));
        QCOMPARE(pushed.status, 200);
        QCOMPARE(pushed.delivered, 1);
        ids.append(pushed.id);
    }
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), 6);
    for (int i = 0; i < nodeCount; ++i) {
        SseClient &client = *streams[size_t(i)];
        QVERIFY2(client.waitForMessages(6), qPrintable(u"node %1: %2 messages"_s.arg(i).arg(client.messages().size())));
        for (int n = 0; n < 6; ++n)
            QCOMPARE(client.messages()[n], SseClient::messageOf(u"tick"_s, u"n%1"_s.arg(n), ids[n]));
    }
    // Ids count from 1 in the cluster's epoch, without gaps.
    for (int n = 0; n < 6; ++n)
        QCOMPARE(SseClient::sequenceOf(ids[n]), quint64(n + 1));
}

// A push to a user reaches that user's streams on every node, and nobody else's.
void tst_Cluster::targetedPushAcrossNodes()
{
    QVERIFY(startNodes());
    auto aliceOn2 = stream(2, {{"Authorization", tokenFor(u"alice"_s)}});
    auto bobOn1 = stream(1, {{"Authorization", tokenFor(u"bob"_s)}});
    auto aliceOn0 = stream(0, {{"Authorization", tokenFor(u"alice"_s)}});
    QVERIFY(aliceOn2 && bobOn1 && aliceOn0);
    const AdminApi::Pushed pushed = AdminApi::push(
        admin(1), QJsonObject{{u"data"_s, u"for alice"_s}, {u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"alice"_s}}}}});
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.delivered, 0); // node 1 holds no stream of alice's
    const AdminApi::Pushed everyone = AdminApi::pushNamed(admin(0), {}, u"for all"_s);
    QCOMPARE(everyone.status, 200);
    QVERIFY(aliceOn2->waitForMessages(2));
    QVERIFY(aliceOn0->waitForMessages(2));
    QVERIFY(bobOn1->waitForMessages(1));
    QCOMPARE(dataOf(aliceOn2->messages()), (QStringList{u"for alice"_s, u"for all"_s}));
    QCOMPARE(dataOf(aliceOn0->messages()), (QStringList{u"for alice"_s, u"for all"_s}));
    bobOn1->readFor(100);
    QCOMPARE(dataOf(bobOn1->messages()), QStringList{u"for all"_s});
}

// A client that read some events on one node resumes on another with nothing lost, no gap;
// one resuming from before the first event gets everything.
void tst_Cluster::resumeOnAnotherNode()
{
    QVERIFY(startNodes());
    auto first = stream(0);
    QVERIFY(first);
    QStringList ids;
    for (int i = 0; i < 3; ++i)
        ids.append(AdminApi::pushNamed(admin(1), {}, u"e%1"_s.arg(i)).id);
    QVERIFY(first->waitForMessages(3));
    const QByteArray lastSeen = first->messages().last().lastEventId.toUtf8();
    first->close();
    for (int i = 3; i < 6; ++i)
        ids.append(AdminApi::pushNamed(admin(0), {}, u"e%1"_s.arg(i)).id);
    // Node 0 died with the client: it comes back on node 2.
    m_nodes[0]->kill();
    SseClient resumed;
    QVERIFY(resumed.open(pub(2), "/eventsource", {{"Last-Event-ID", lastSeen}}));
    QVERIFY(resumed.waitForMessages(3));
    QCOMPARE(dataOf(resumed.messages()), (QStringList{u"e3"_s, u"e4"_s, u"e5"_s}));
    QCOMPARE(resumed.messages().last().lastEventId, ids.last());

    const QByteArray beforeAll = SseClient::epochOf(ids.first()).toUtf8() + "-0";
    SseClient everything;
    QVERIFY(everything.open(pub(1), "/eventsource", {{"Last-Event-ID", beforeAll}}));
    QVERIFY(everything.waitForMessages(6));
    QCOMPARE(everything.messages().first().type, u"message"_s); // no gap
    QCOMPARE(dataOf(everything.messages()).size(), 6);
}

// An id of this history that no node has handed out yet: after waiting for the reader (it
// may be an event published elsewhere a moment ago), a gap, everything retained, then live.
void tst_Cluster::resumeFromAFutureId()
{
    QVERIFY(startNodes());
    const AdminApi::Pushed first = AdminApi::pushNamed(admin(0), {}, u"one"_s);
    QCOMPARE(first.status, 200);
    const QByteArray future = SseClient::epochOf(first.id).toUtf8() + "-999";
    SseClient client;
    QVERIFY(client.open(pub(1), "/eventsource", {{"Last-Event-ID", future}}));
    QVERIFY(client.waitForMessages(2));
    QCOMPARE(client.messages()[0].type, u"eventsource-gap"_s);
    QCOMPARE(client.messages()[0].data, uR"({"reason":"unknown"})"_s);
    QCOMPARE(client.messages()[1].data, u"one"_s);
    // Events keep coming meanwhile on a busy cluster; the wait for the reader is bounded anyway.
    QCOMPARE(AdminApi::pushNamed(admin(2), {}, u"two"_s).status, 200);
    QVERIFY(client.waitForMessages(3));
    QCOMPARE(client.messages()[2].data, u"two"_s);
}

// A pause on one node applies on every node (sparing its groups); a kick by id reaches the
// node that holds the stream, and ids are unique in the cluster.
void tst_Cluster::pauseAndKickAcrossNodes()
{
    QVERIFY(startNodes());
    auto guest = stream(1, {{"Authorization", tokenFor(u"u1"_s)}, {"User-Agent", "guest"}});
    auto staff = stream(2, {{"Authorization", tokenFor(u"u2"_s, {u"ops"_s})}, {"User-Agent", "staff"}});
    auto local = stream(0, {{"Authorization", tokenFor(u"u3"_s)}, {"User-Agent", "local"}});
    QVERIFY(guest && staff && local);
    const QString staffId = AdminApi::connectionOf(admin(2), u"staff"_s).value(u"id"_s).toString();
    const QString guestId = AdminApi::connectionOf(admin(1), u"guest"_s).value(u"id"_s).toString();
    QVERIFY(!staffId.isEmpty() && !guestId.isEmpty());
    QVERIFY(staffId != guestId);

    const HttpResponse paused = HttpClient::admin(admin(0), "POST", "/api/pause",
                                                  R"({"delay": 7000, "exceptGroups": ["ops"]})");
    QCOMPARE(paused.status, 200);
    QCOMPARE(paused.json().object().value(u"paused"_s).toInt(), 1); // this node's own
    QVERIFY(local->waitForClosed());
    QVERIFY(guest->waitForClosed());
    QCOMPARE(guest->parser().retryMs(), qint64(7000));
    staff->readFor(200);
    QVERIFY(!staff->isClosed());

    const HttpResponse kicked = HttpClient::admin(admin(0), "DELETE", "/api/connections/" + staffId.toUtf8());
    QCOMPARE(kicked.status, 200);
    QCOMPARE(kicked.json().object().value(u"sent"_s).toString(), staffId);
    QVERIFY(staff->waitForClosed());
    QCOMPARE(HttpClient::admin(admin(0), "DELETE", "/api/connections/77").status, 404);
}

// Any node lists the streams of every live node, each with its node, filters included; a
// node that dies leaves the lists within 15 s.
void tst_Cluster::presenceListsEveryNode()
{
    QVERIFY(startNodes());
    auto on0 = stream(0, {{"User-Agent", "a0"}});
    auto on1 = stream(1, {{"User-Agent", "a1"}});
    auto on2 = stream(2, {{"User-Agent", "a2"}, {"Authorization", tokenFor(u"alice"_s, {u"g7"_s})}});
    QVERIFY(on0 && on1 && on2);
    const auto listed = [this](int node, const QByteArray &query = {}) {
        return HttpClient::admin(admin(node), "GET", "/api/connections" + query).json().object();
    };
    QElapsedTimer waited;
    waited.start();
    while (listed(0).value(u"count"_s).toInt() != 3 && waited.elapsed() < 10000)
        QTest::qWait(50);
    const QJsonObject all = listed(0);
    QCOMPARE(all.value(u"count"_s).toInt(), 3);
    QHash<QString, QString> nodeOf; // user agent -> node
    QSet<QString> ids;
    for (const QJsonValue &value : all.value(u"connections"_s).toArray()) {
        nodeOf.insert(value[u"userAgent"_s].toString(), value[u"node"_s].toString());
        ids.insert(value[u"id"_s].toString());
    }
    QCOMPARE(nodeOf.value(u"a0"_s), u"node0"_s);
    QCOMPARE(nodeOf.value(u"a1"_s), u"node1"_s);
    QCOMPARE(nodeOf.value(u"a2"_s), u"node2"_s);
    QCOMPARE(ids.size(), 3); // unique in the cluster
    const QJsonObject alice = listed(1, "?user=alice");
    QCOMPARE(alice.value(u"count"_s).toInt(), 1);
    QCOMPARE(alice.value(u"connections"_s).toArray().first()[u"node"_s].toString(), u"node2"_s);
    QCOMPARE(listed(1, "?group=g7").value(u"count"_s).toInt(), 1);
    QCOMPARE(listed(1, "?group=nobody").value(u"count"_s).toInt(), 0);

    const QJsonArray nodes = HttpClient::admin(admin(1), "GET", "/api/nodes").json().object().value(u"nodes"_s).toArray();
    QCOMPARE(nodes.size(), 3);
    QCOMPARE(nodes.first()[u"id"_s].toString(), u"node1"_s);
    for (const QJsonValue &node : nodes)
        QCOMPARE(node[u"connections"_s].toInt(), 1);

    m_nodes[2]->kill();
    waited.restart();
    // The interface promises 15 s (Redis' TTL and the heartbeat times keep it, not the CPU).
    while (listed(0).value(u"count"_s).toInt() != 2 && waited.elapsed() < 15000)
        QTest::qWait(250);
    qInfo() << "a killed node left the listing after" << waited.elapsed() << "ms";
    QCOMPARE(listed(0).value(u"count"_s).toInt(), 2);
    QCOMPARE(HttpClient::admin(admin(0), "GET", "/api/nodes").json().object().value(u"nodes"_s).toArray().size(), 2);
}

// A second node started with the id of a live one stops with a configuration error.
void tst_Cluster::nodeIdInUseIsRefused()
{
    QVERIFY(startNodes());
    QProcess twin;
    twin.start(ServerProcess::binary(), {u"--listen"_s, u"127.0.0.1:0"_s, u"--admin-listen"_s, u"127.0.0.1:0"_s,
                                         u"--redis"_s, m_redis->url(), u"--node-id"_s, u"node1"_s});
    QVERIFY(twin.waitForFinished(20000));
    QCOMPARE(twin.exitCode(), 2);
    QVERIFY2(twin.readAllStandardError().contains("in use by a live node"), "no clear message");
    // The real node1 is unaffected.
    QCOMPARE(AdminApi::pushNamed(admin(1), {}, u"still here"_s).status, 200);
}

// The console's live view of one node covers the streams of every node: in its snapshot and
// as they open and close.
void tst_Cluster::controlChannelSeesEveryNode()
{
    QVERIFY(startNodes());
    auto early = stream(1, {{"User-Agent", "early"}});
    QVERIFY(early);
    QElapsedTimer waited;
    waited.start();
    while (HttpClient::admin(admin(0), "GET", "/api/connections").json().object().value(u"count"_s).toInt() != 1
           && waited.elapsed() < 10000)
        QTest::qWait(50);

    QList<QJsonObject> messages;
    QWebSocket console;
    connect(&console, &QWebSocket::textMessageReceived, this,
            [&messages](const QString &text) { messages.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
    QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/control"_s.arg(admin(0))));
    request.setRawHeader("Authorization", HttpClient::adminAuthorization());
    console.open(request);
    const auto records = [&messages](const QString &type, const QString &list) {
        QList<QJsonObject> found;
        for (const QJsonObject &message : std::as_const(messages)) {
            if (message.value(u"type"_s).toString() == type) {
                for (const QJsonValue &entry : message.value(list).toArray())
                    found.append(entry.toObject());
            }
        }
        return found;
    };
    const auto findAgent = [](const QList<QJsonObject> &list, const QString &agent) {
        for (const QJsonObject &record : list) {
            if (record.value(u"userAgent"_s).toString() == agent)
                return record;
        }
        return QJsonObject();
    };
    QVERIFY(QTest::qWaitFor([&] { return !messages.isEmpty(); }, 10000));
    console.sendTextMessage(uR"({"type":"subscribe","id":1,"topics":["connections"]})"_s);
    QVERIFY(QTest::qWaitFor([&] { return !findAgent(records(u"connections.snapshot"_s, u"connections"_s), u"early"_s).isEmpty(); }, 10000));
    QCOMPARE(findAgent(records(u"connections.snapshot"_s, u"connections"_s), u"early"_s).value(u"node"_s).toString(), u"node1"_s);

    auto late = stream(2, {{"User-Agent", "late"}});
    QVERIFY(late);
    QVERIFY(QTest::qWaitFor([&] { return !findAgent(records(u"connections.batch"_s, u"opened"_s), u"late"_s).isEmpty(); }, 10000));
    const QJsonObject opened = findAgent(records(u"connections.batch"_s, u"opened"_s), u"late"_s);
    QCOMPARE(opened.value(u"node"_s).toString(), u"node2"_s);
    // Its counters move in the console of another node too (with node 2's 4 s heartbeat).
    const AdminApi::Pushed pushed = AdminApi::pushNamed(admin(0), {}, u"counted"_s);
    QCOMPARE(pushed.status, 200);
    QVERIFY(QTest::qWaitFor([&] {
        for (const QJsonObject &update : records(u"connections.batch"_s, u"updated"_s)) {
            if (update.value(u"id"_s) == opened.value(u"id"_s) && update.value(u"lastEventId"_s).toString() == pushed.id)
                return true;
        }
        return false;
    }, 15000));
    late->close();
    QVERIFY(QTest::qWaitFor([&] {
        for (const QJsonObject &closed : records(u"connections.batch"_s, u"closed"_s)) {
            if (closed.value(u"id"_s) == opened.value(u"id"_s))
                return true;
        }
        return false;
    }, 10000));
}

// A browser the load balancer sends to any node keeps its session: an anonymous one is
// recognized everywhere, a login made on one node holds on the others, and a logout on a third
// closes its streams wherever they are and ends it everywhere.
void tst_Cluster::sessionsAcrossNodes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile users(dir.filePath(u"users.json"_s));
    QVERIFY(users.open(QIODevice::WriteOnly));
    users.write(QJsonDocument(QJsonObject{{u"users"_s, QJsonArray{QJsonObject{
        {u"id"_s, u"u1"_s}, {u"name"_s, u"alice"_s}, {u"password"_s, PasswordHash::create(u"alice-pw"_s, 1000)}}}}})
                    .toJson());
    users.close();
    QVERIFY(startNodes({u"--users"_s, users.fileName()}));
    const auto sessionOf = [](const QByteArray &setCookie) {
        const qsizetype at = setCookie.indexOf("eventsource_session=");
        return at < 0 ? QByteArray() : setCookie.mid(at + 20).split(';').first();
    };
    // Sessions are shared once a node has the cluster's key: its anonymous ids are signed.
    QByteArray anonymous;
    QElapsedTimer waited;
    waited.start();
    while (anonymous.size() != 32 && waited.elapsed() < 10000) {
        SseClient probe;
        QVERIFY(probe.open(pub(0), "/eventsource"));
        anonymous = sessionOf(probe.header("Set-Cookie"));
        if (anonymous.size() != 32)
            QTest::qWait(100);
    }
    QCOMPARE(anonymous.size(), 32);
    SseClient elsewhere;
    QVERIFY(elsewhere.open(pub(2), "/eventsource", {{"Cookie", "eventsource_session=" + anonymous},
                                                    {"User-Agent", "anonymous-elsewhere"}}));
    QVERIFY(elsewhere.header("Set-Cookie").isEmpty()); // kept, not replaced
    QCOMPARE(AdminApi::connectionOf(admin(2), u"anonymous-elsewhere"_s)[u"session"_s].toString().toLatin1(), anonymous);

    const HttpResponse login = HttpClient::request(pub(0), "POST", "/login",
                                                   R"({"username":"alice","password":"alice-pw"})",
                                                   {{"Content-Type", "application/json"}});
    QCOMPARE(login.status, 200);
    const QByteArray session = sessionOf(login.header("Set-Cookie"));
    QVERIFY(!session.isEmpty());
    const SseClient::Headers withSession{{"Cookie", "eventsource_session=" + session}, {"User-Agent", "alice-on-1"}};
    // Node 1 learns of the login through the cluster's command stream.
    auto alice = std::make_unique<SseClient>();
    waited.restart();
    for (;;) {
        QVERIFY(alice->open(pub(1), "/eventsource", withSession));
        QVERIFY(alice->waitForBody("id: "));
        if (AdminApi::connectionOf(admin(1), u"alice-on-1"_s)[u"userId"_s].toString() == u"u1"_s)
            break;
        QVERIFY2(waited.elapsed() < 10000, "node 1 never knew the session of a login on node 0");
        alice = std::make_unique<SseClient>();
        QTest::qWait(100);
    }
    const HttpResponse logout = HttpClient::request(pub(2), "POST", "/logout", {},
                                                    {{"Cookie", "eventsource_session=" + session}});
    QCOMPARE(logout.status, 200);
    QVERIFY(alice->waitForClosed());
    // Ended everywhere: the same cookie is nobody now, on any node.
    waited.restart();
    bool ended = false;
    while (!ended && waited.elapsed() < 10000) {
        SseClient again;
        QVERIFY(again.open(pub(0), "/eventsource", {{"Cookie", "eventsource_session=" + session},
                                                    {"User-Agent", "after-logout"}}));
        ended = AdminApi::connectionOf(admin(0), u"after-logout"_s)[u"userId"_s].isNull();
        if (!ended)
            QTest::qWait(100);
    }
    QVERIFY(ended);
}

// Entries another program wrote into the stream: one in the wrong shape is skipped and
// counted, one of no epoch of this history is skipped too (the history stays the same), and
// the publishes that then cannot follow it are refused with Redis' reason.
void tst_Cluster::foreignEntriesAreSkipped()
{
    QVERIFY(startNodes());
    auto client = stream(1);
    QVERIFY(client);
    const AdminApi::Pushed before = AdminApi::pushNamed(admin(0), {}, u"before"_s);
    QCOMPARE(before.status, 200);
    const qint64 epochMs = SseClient::epochOf(before.id).toLongLong(nullptr, 36);

    RedisConnection::Options options;
    options.url.host = u"127.0.0.1"_s;
    options.url.port = m_redis->port();
    RedisConnection redis(options);
    redis.open();
    QVERIFY(QTest::qWaitFor([&redis] { return redis.isReady(); }, 5000));
    const auto run = [&redis](const QList<QByteArray> &arguments) {
        std::optional<RedisReply> answer;
        redis.command(arguments, [&answer](const RedisReply &reply) { answer = reply; });
        if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 5000))
            return RedisReply::error("no answer", true);
        return *answer;
    };
    QVERIFY(!run({"XADD", "eventsource:events", QByteArray::number(epochMs) + "-*", "foo", "bar"}).isError());
    const AdminApi::Pushed after = AdminApi::pushNamed(admin(2), {}, u"after"_s);
    QCOMPARE(after.status, 200);
    QVERIFY(client->waitForMessages(2));
    QCOMPARE(dataOf(client->messages()), (QStringList{u"before"_s, u"after"_s}));
    QVERIFY(AdminApi::metric(admin(1), "eventsource_broker_malformed_entries_total") >= 1);

    // An entry of the present time: no epoch of this history.
    QVERIFY(!run({"XADD", "eventsource:events", "*", "d", "x", "c", "1"}).isError());
    QTest::qWait(300);
    QVERIFY(AdminApi::metric(admin(1), "eventsource_broker_malformed_entries_total") >= 2);
    QCOMPARE(SseClient::epochOf(AdminApi::history(admin(1)).value(u"headId"_s).toString()), SseClient::epochOf(before.id));
    const AdminApi::Pushed blocked = AdminApi::pushNamed(admin(0), {}, u"blocked"_s);
    QCOMPARE(blocked.status, 503);
    QVERIFY2(blocked.body.value(u"error"_s).toString().contains(u"redis refused"_s),
             qPrintable(blocked.body.value(u"error"_s).toString()));
    client->readFor(200);
    QCOMPARE(client->messages().size(), 2);
}

// Redis down: publishes are refused with 503 and a reason within the timeout, streams stay
// open with their heartbeats, /health says so; once Redis is back, publishing goes on.
void tst_Cluster::publishWhileRedisDown()
{
    QVERIFY(startNodes({u"--heartbeat-ms"_s, u"200"_s}));
    auto client = stream(1);
    QVERIFY(client);
    m_redis->kill();
    QElapsedTimer took;
    took.start();
    const AdminApi::Pushed refused = AdminApi::pushNamed(admin(0), {}, u"lost"_s);
    QCOMPARE(refused.status, 503);
    QVERIFY(took.elapsed() < 5000);
    QVERIFY(!refused.body.value(u"error"_s).toString().isEmpty());
    const HttpResponse health = HttpClient::admin(admin(0), "GET", "/health");
    QCOMPARE(health.status, 503);
    QCOMPARE(health.json().object().value(u"status"_s).toString(), u"degraded"_s);
    QCOMPARE(AdminApi::metric(admin(0), "eventsource_broker_up"), 0);
    QVERIFY(AdminApi::metric(admin(0), "eventsource_broker_publish_failures_total") >= 1);
    const qint64 comments = client->parser().commentCount();
    QVERIFY(client->waitForComments(comments + 2));
    QVERIFY(!client->isClosed());

    QVERIFY2(m_redis->start(), m_redis->output().constData());
    QElapsedTimer waited;
    waited.start();
    AdminApi::Pushed later;
    do {
        QTest::qWait(100);
        later = AdminApi::pushNamed(admin(0), {}, u"later"_s);
    } while (later.status != 200 && waited.elapsed() < 15000);
    QCOMPARE(later.status, 200);
    QVERIFY(client->waitForMessages(1));
    QCOMPARE(client->messages().last().data, u"later"_s);
    QCOMPARE(HttpClient::admin(admin(0), "GET", "/health").status, 200);
    QCOMPARE(AdminApi::metric(admin(0), "eventsource_broker_up"), 1);
    QVERIFY(AdminApi::metric(admin(0), "eventsource_broker_reconnects_total") >= 1);
}

// Redis killed and restarted (with its append-only file) in the middle of a burst: every
// acknowledged event reaches the streams of every node, each once; every other push got 503.
void tst_Cluster::redisRestartDuringBurst()
{
    m_redis->kill();
    const QStringList persistent{u"--appendonly"_s, u"yes"_s, u"--appendfsync"_s, u"always"_s};
    QVERIFY2(m_redis->start(persistent), m_redis->output().constData());
    QVERIFY(startNodes());
    std::array<std::unique_ptr<SseClient>, nodeCount> streams;
    for (int i = 0; i < nodeCount; ++i) {
        streams[size_t(i)] = stream(i);
        QVERIFY(streams[size_t(i)]);
    }
    QStringList acked;
    int refused = 0;
    bool restarted = false;
    for (int n = 0; acked.size() < 300 && n < 5000; ++n) {
        if (n == 100)
            m_redis->kill();
        if (n == 100 + 20 && !restarted) {
            QVERIFY2(m_redis->start(persistent), m_redis->output().constData());
            restarted = true;
        }
        const AdminApi::Pushed pushed = AdminApi::pushNamed(admin(n % nodeCount), {}, u"b%1"_s.arg(n));
        if (pushed.status == 200)
            acked.append(u"b%1"_s.arg(n));
        else if (pushed.status == 503)
            ++refused;
        else
            QFAIL(qPrintable(u"push %1 answered %2"_s.arg(n).arg(pushed.status)));
        if (restarted && pushed.status != 200)
            QTest::qWait(20);
    }
    QCOMPARE(acked.size(), 300);
    QVERIFY(refused >= 20);
    for (int i = 0; i < nodeCount; ++i) {
        SseClient &client = *streams[size_t(i)];
        client.waitForMessages(int(acked.size()), 20000);
        const QStringList got = dataOf(client.messages());
        // Each acknowledged event once; nothing refused arrived.
        QCOMPARE(QSet<QString>(got.begin(), got.end()).size(), got.size());
        for (const QString &data : std::as_const(acked))
            QVERIFY2(got.contains(data), qPrintable(u"node %1 never got %2 (%3 messages)"_s.arg(i).arg(data).arg(got.size())));
        QCOMPARE(got.size(), acked.size());
    }
}

// A Redis that restarts empty has lost the shared history: a new epoch starts, and a client
// resuming from an id of the old one gets eventsource-gap (unknown), then what is new.
void tst_Cluster::redisLostItsDataSignalsGap()
{
    QVERIFY(startNodes());
    const AdminApi::Pushed old = AdminApi::pushNamed(admin(0), {}, u"old"_s);
    QCOMPARE(old.status, 200);
    m_redis->kill();
    QVERIFY2(m_redis->start(), m_redis->output().constData());
    QElapsedTimer waited;
    waited.start();
    AdminApi::Pushed fresh;
    do {
        QTest::qWait(100);
        fresh = AdminApi::pushNamed(admin(1), {}, u"new"_s);
    } while (fresh.status != 200 && waited.elapsed() < 15000);
    QCOMPARE(fresh.status, 200);
    QVERIFY(SseClient::epochOf(fresh.id) != SseClient::epochOf(old.id));
    SseClient resumed;
    QVERIFY(resumed.open(pub(2), "/eventsource", {{"Last-Event-ID", old.id.toUtf8()}}));
    // Node 2 may still be in its reconnect backoff (up to 5 s) when the stream opens.
    QVERIFY(resumed.waitForMessages(2, 20000));
    QCOMPARE(resumed.messages().first().type, u"eventsource-gap"_s);
    QCOMPARE(resumed.messages().first().data, uR"({"reason":"unknown"})"_s);
    QCOMPARE(resumed.messages()[1].data, u"new"_s);
}

// Nodes started while Redis is down serve streams (publishes get 503) and join once Redis is
// there; the streams they opened meanwhile (the same local ids on both) then carry their
// node's number: unique in the cluster, and kicked from another node.
void tst_Cluster::nodeStartedBeforeRedis()
{
    m_redis->kill();
    std::array<ServerProcess, 2> nodes;
    std::array<SseClient, 2> clients;
    for (size_t i = 0; i < nodes.size(); ++i) {
        QVERIFY2(nodes[i].start({u"--redis"_s, m_redis->url(), u"--redis-timeout-ms"_s, u"500"_s}),
                 nodes[i].output().constData());
        QVERIFY(clients[i].open(nodes[i].publicPort(), "/eventsource", {{"User-Agent", "early" + QByteArray::number(i)}}));
        QCOMPARE(clients[i].status(), 200);
    }
    QCOMPARE(AdminApi::connectionOf(nodes[0].adminPort(), u"early0"_s).value(u"id"_s).toString(),
             AdminApi::connectionOf(nodes[1].adminPort(), u"early1"_s).value(u"id"_s).toString());
    QCOMPARE(AdminApi::pushNamed(nodes[0].adminPort(), {}, u"too early"_s).status, 503);
    QVERIFY2(m_redis->start(), m_redis->output().constData());
    QElapsedTimer waited;
    waited.start();
    // Each node takes publishes once it has joined (and reads the history from there on).
    for (ServerProcess &node : nodes) {
        while (AdminApi::pushNamed(node.adminPort(), {}, u"probe"_s).status != 200 && waited.elapsed() < 15000)
            QTest::qWait(100);
    }
    QCOMPARE(AdminApi::pushNamed(nodes[0].adminPort(), {}, u"joined"_s).status, 200);
    for (SseClient &client : clients)
        QVERIFY(client.waitForBody("data: joined\n"));

    const auto listedIds = [&nodes] {
        QHash<QString, QString> idOf; // user agent -> id
        const QJsonObject listed = HttpClient::admin(nodes[0].adminPort(), "GET", "/api/connections").json().object();
        for (const QJsonValue &value : listed.value(u"connections"_s).toArray())
            idOf.insert(value[u"userAgent"_s].toString(), value[u"id"_s].toString());
        return idOf;
    };
    QHash<QString, QString> idOf;
    waited.restart();
    do {
        QTest::qWait(100);
        idOf = listedIds();
    } while ((idOf.size() != 2 || idOf.value(u"early1"_s).toULongLong() >> 40 == 0) && waited.elapsed() < 15000);
    QCOMPARE(idOf.size(), 2);
    QVERIFY(idOf.value(u"early0"_s) != idOf.value(u"early1"_s));
    for (const QString &id : std::as_const(idOf))
        QVERIFY2(id.toULongLong() >> 40 != 0, qPrintable(id));
    QCOMPARE(AdminApi::connectionOf(nodes[1].adminPort(), u"early1"_s).value(u"id"_s).toString(), idOf.value(u"early1"_s));

    const HttpResponse kicked = HttpClient::admin(nodes[0].adminPort(), "DELETE",
                                                  "/api/connections/" + idOf.value(u"early1"_s).toUtf8());
    QCOMPARE(kicked.status, 200);
    QVERIFY(clients[1].waitForClosed());
    clients[0].readFor(200);
    QVERIFY(!clients[0].isClosed());
}

void tst_Cluster::badRedisUrlIsAConfigurationError()
{
    for (const QString &url : {u"http://x:1"_s, u"redis://:1"_s, u"redis://host:99999"_s, u"unix://"_s}) {
        QProcess process;
        process.start(ServerProcess::binary(), {u"--redis"_s, url});
        QVERIFY(process.waitForFinished(10000));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY2(process.readAllStandardError().contains("redis"), qPrintable(url));
    }
}

QTEST_GUILESS_MAIN(tst_Cluster)
#include "tst_cluster.moc"
