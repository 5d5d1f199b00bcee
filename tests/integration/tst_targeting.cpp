#include "adminapi.h"
#include "httpclient.h"
#include "jwt.h"
#include "passwordhash.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray secret = "targeting-integration-secret-0123456789abcdef";

// The four streams of every test, by index.
enum Who { Anonymous, Alice, Bob, Carol, WhoCount };
const char *const agents[WhoCount] = {"anonymous", "alice", "bob", "carol"};
using Set = QList<int>;

QJsonObject userEntry(const QString &id, const QString &name, const QStringList &groups)
{
    return {{u"id"_s, id}, {u"name"_s, name}, {u"password"_s, PasswordHash::create(name + u"-pw"_s, 1000)},
            {u"groups"_s, QJsonArray::fromStringList(groups)}};
}

bool hasData(const SseClient &client, const QString &data)
{
    return std::any_of(client.messages().begin(), client.messages().end(),
                       [&data](const SseMessage &message) { return message.data == data; });
}

QStringList dataOf(const QList<SseMessage> &messages)
{
    QStringList list;
    for (const SseMessage &message : messages)
        list.append(message.data);
    return list;
}

} // namespace

class TestTargeting : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void targetedPush_data();
    void targetedPush();
    void targetedNamedEventRespectsFilter();
    void replayOnlyAddressedEvents_data();
    void replayOnlyAddressedEvents();
    void pause_data();
    void pause();
    void refusesInvalidPause_data();
    void refusesInvalidPause();
    void filtersConnections_data();
    void filtersConnections();

private:
    quint16 admin() const { return m_server.adminPort(); }
    // The headers that make a stream be `who` (login cookie or JWT as the test asks).
    SseClient::Headers identify(int who, bool jwt) const;
    std::unique_ptr<SseClient> openAs(int who, const QByteArray &path = "/eventsource",
                                      const QByteArray &lastEventId = {}, bool jwt = false);
    // Pushes a broadcast every open stream of `streams` accepts and waits for it there: what
    // was pushed earlier and has not arrived by then was never sent.
    void fence(const QList<SseClient *> &streams, const QByteArray &name = {});

    QTemporaryDir m_dir;
    ServerProcess m_server;
    QByteArray m_loginSession[WhoCount]; // per user, from POST /login
    QByteArray m_anonymousSession;
    std::unique_ptr<SseClient> m_streams[WhoCount];
    int m_fences = 0;
};

SseClient::Headers TestTargeting::identify(int who, bool jwt) const
{
    SseClient::Headers headers{{"User-Agent", agents[who]}};
    if (who == Anonymous) {
        if (!m_anonymousSession.isEmpty())
            headers.append({"Cookie", "eventsource_session=" + m_anonymousSession});
    } else if (who == Bob || jwt) {
        // Bob is always a JWT principal, with groups given as {"id","name"} objects.
        static const QJsonObject claims[WhoCount] = {
            {},
            {{u"sub"_s, u"u1"_s}, {u"name"_s, u"alice"_s}, {u"groups"_s, QJsonArray{QJsonObject{{u"id"_s, u"g1"_s}, {u"name"_s, u"Marketing"_s}}}}},
            {{u"sub"_s, u"u2"_s}, {u"name"_s, u"bob"_s}, {u"groups"_s, QJsonArray{QJsonObject{{u"id"_s, u"g2"_s}, {u"name"_s, u"Engineering"_s}}}}},
            {{u"sub"_s, u"u3"_s}, {u"name"_s, u"carol"_s},
             {u"groups"_s, QJsonArray{QJsonObject{{u"id"_s, u"g1"_s}, {u"name"_s, u"Marketing"_s}},
                                     QJsonObject{{u"id"_s, u"g2"_s}, {u"name"_s, u"Engineering"_s}}}}}};
        QJsonObject token = claims[who];
        token.insert(u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600);
        headers.append({"Authorization", "Bearer " + Jwt::sign(token, secret)});
    } else {
        headers.append({"Cookie", "eventsource_session=" + m_loginSession[who]});
    }
    return headers;
}

std::unique_ptr<SseClient> TestTargeting::openAs(int who, const QByteArray &path, const QByteArray &lastEventId, bool jwt)
{
    auto client = std::make_unique<SseClient>();
    SseClient::Headers headers = identify(who, jwt);
    if (!lastEventId.isEmpty())
        headers.append({"Last-Event-ID", lastEventId});
    if (!client->open(m_server.publicPort(), path, headers) || client->status() != 200)
        return nullptr;
    if (who == Anonymous && m_anonymousSession.isEmpty()) {
        static const QRegularExpression cookie(u"^eventsource_session=([A-Za-z0-9_-]{22});"_s);
        m_anonymousSession = cookie.match(QString::fromLatin1(client->header("Set-Cookie"))).captured(1).toLatin1();
    }
    // The id-only block that ends the preamble: from here on the stream is live.
    if (!client->waitForBody("id: "))
        return nullptr;
    return client;
}

void TestTargeting::fence(const QList<SseClient *> &streams, const QByteArray &name)
{
    const QString data = u"fence-%1"_s.arg(++m_fences);
    QJsonObject body{{u"data"_s, data}};
    if (!name.isEmpty())
        body.insert(u"event"_s, QString::fromLatin1(name));
    QCOMPARE(AdminApi::push(admin(), body).status, 200);
    for (SseClient *stream : streams) {
        const QDeadlineTimer deadline(10000);
        while (!hasData(*stream, data) && !deadline.hasExpired() && !stream->isClosed())
            stream->waitForMessages(int(stream->messages().size()) + 1, 100);
        QVERIFY2(hasData(*stream, data), qPrintable(data));
    }
}

void TestTargeting::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QJsonObject directory{
        {u"groups"_s, QJsonArray{QJsonObject{{u"id"_s, u"g1"_s}, {u"name"_s, u"Marketing"_s}},
                                 QJsonObject{{u"id"_s, u"g2"_s}, {u"name"_s, u"Engineering"_s}}}},
        {u"users"_s, QJsonArray{userEntry(u"u1"_s, u"alice"_s, {u"g1"_s}), userEntry(u"u2"_s, u"bob"_s, {u"Engineering"_s}),
                                userEntry(u"u3"_s, u"carol"_s, {u"g1"_s, u"g2"_s})}}};
    QFile file(m_dir.filePath(u"users.json"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(directory).toJson());
    file.close();
    QVERIFY2(m_server.start({u"--jwt-secret"_s, QString::fromLatin1(secret), u"--users"_s, file.fileName()}),
             m_server.output().constData());

    for (int who : {Alice, Bob, Carol}) {
        const QByteArray body = QJsonDocument(QJsonObject{{u"username"_s, QString::fromLatin1(agents[who])},
                                                          {u"password"_s, QString::fromLatin1(agents[who]) + u"-pw"_s}})
                                    .toJson();
        const HttpResponse response = HttpClient::request(m_server.publicPort(), "POST", "/login", body,
                                                          {{"Content-Type", "application/json"}});
        QCOMPARE(response.status, 200);
        m_loginSession[who] = response.header("Set-Cookie").split(';').first().split('=').last();
        QCOMPARE(m_loginSession[who].size(), 22);
    }
}

void TestTargeting::init()
{
    QVERIFY(AdminApi::waitForConnections(admin(), 0));
    for (int who = 0; who < WhoCount; ++who) {
        m_streams[who] = openAs(who);
        QVERIFY2(m_streams[who], agents[who]);
    }
    QCOMPARE(m_anonymousSession.size(), 22);
}

void TestTargeting::cleanup()
{
    for (auto &stream : m_streams)
        stream.reset();
}

void TestTargeting::targetedPush_data()
{
    QTest::addColumn<QJsonObject>("target"); // "$S" stands for the anonymous session
    QTest::addColumn<Set>("receivers");

    const auto list = [](const QStringList &items) { return QJsonArray::fromStringList(items); };
    QTest::newRow("session") << QJsonObject{{u"sessions"_s, list({u"$S"_s})}} << Set{Anonymous};
    QTest::newRow("user id") << QJsonObject{{u"users"_s, list({u"u2"_s})}} << Set{Bob};
    QTest::newRow("user name") << QJsonObject{{u"users"_s, list({u"alice"_s})}} << Set{Alice};
    QTest::newRow("user name from JWT") << QJsonObject{{u"users"_s, list({u"bob"_s})}} << Set{Bob};
    QTest::newRow("group id") << QJsonObject{{u"groups"_s, list({u"g1"_s})}} << Set{Alice, Carol};
    QTest::newRow("group name") << QJsonObject{{u"groups"_s, list({u"Engineering"_s})}} << Set{Bob, Carol};
    QTest::newRow("several users") << QJsonObject{{u"users"_s, list({u"u1"_s, u"carol"_s})}} << Set{Alice, Carol};
    QTest::newRow("union of session, user, group")
        << QJsonObject{{u"sessions"_s, list({u"$S"_s})}, {u"users"_s, list({u"bob"_s})}, {u"groups"_s, list({u"Marketing"_s})}}
        << Set{Anonymous, Alice, Bob, Carol};
    QTest::newRow("overlapping union counts once")
        << QJsonObject{{u"users"_s, list({u"u3"_s})}, {u"groups"_s, list({u"g2"_s})}} << Set{Bob, Carol};
    QTest::newRow("session of a logged-in user") << QJsonObject{{u"sessions"_s, list({u"$alice"_s})}} << Set{Alice};
    QTest::newRow("unknown user") << QJsonObject{{u"users"_s, list({u"nobody"_s})}} << Set{};
    QTest::newRow("unknown group") << QJsonObject{{u"groups"_s, list({u"Sales"_s})}} << Set{};
    QTest::newRow("broadcast") << QJsonObject() << Set{Anonymous, Alice, Bob, Carol};
}

void TestTargeting::targetedPush()
{
    QFETCH(QJsonObject, target);
    QFETCH(Set, receivers);

    QByteArray json = QJsonDocument(target).toJson(QJsonDocument::Compact);
    json.replace("$S", m_anonymousSession).replace("$alice", m_loginSession[Alice]);
    const QString data = u"targeted-"_s + QString::fromLatin1(QTest::currentDataTag());
    QJsonObject body{{u"data"_s, data}};
    if (!target.isEmpty())
        body.insert(u"target"_s, QJsonDocument::fromJson(json).object());
    const AdminApi::Pushed pushed = AdminApi::push(admin(), body);
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.delivered, receivers.size());
    const QString id = pushed.id;

    QList<SseClient *> all;
    for (const auto &stream : m_streams)
        all.append(stream.get());
    fence(all);
    for (int who = 0; who < WhoCount; ++who) {
        const bool got = hasData(*m_streams[who], data);
        QVERIFY2(got == receivers.contains(who), qPrintable(u"%1 received: %2"_s.arg(agents[who]).arg(got)));
        if (got)
            QCOMPARE(m_streams[who]->messages().first().lastEventId, id);
    }
}

void TestTargeting::targetedNamedEventRespectsFilter()
{
    const std::unique_ptr<SseClient> news = openAs(Alice, "/eventsource/news");
    QVERIFY(news);
    const auto pushToAlice = [this](const char *name, const QString &data) {
        return AdminApi::push(admin(), QJsonObject{{u"event"_s, QString::fromLatin1(name)}, {u"data"_s, data},
                                                   {u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"alice"_s}}}}});
    };
    QCOMPARE(pushToAlice("sport", u"alice-sport"_s).delivered, 1);
    QCOMPARE(pushToAlice("news", u"alice-news"_s).delivered, 2);
    fence({news.get(), m_streams[Alice].get(), m_streams[Bob].get()}, "news");

    QCOMPARE(dataOf(news->messages()), (QStringList{u"alice-news"_s, u"fence-%1"_s.arg(m_fences)}));
    QVERIFY(hasData(*m_streams[Alice], u"alice-sport"_s));
    QVERIFY(hasData(*m_streams[Alice], u"alice-news"_s));
    QCOMPARE(m_streams[Alice]->messages().first().type, u"sport"_s);
    QVERIFY(!hasData(*m_streams[Bob], u"alice-news"_s));
}

void TestTargeting::replayOnlyAddressedEvents_data()
{
    QTest::addColumn<bool>("jwt");
    QTest::newRow("login sessions") << false;
    QTest::newRow("JWT principals") << true;
}

void TestTargeting::replayOnlyAddressedEvents()
{
    QFETCH(bool, jwt);
    // Alice, Bob and the anonymous browser go away, remembering where they were.
    QByteArray lastIds[WhoCount];
    for (int who : {Anonymous, Alice, Bob}) {
        m_streams[who] = openAs(who, "/eventsource", {}, jwt);
        QVERIFY(m_streams[who]);
        lastIds[who] = m_streams[who]->parser().lastEventId().toLatin1();
        m_streams[who].reset();
    }
    QVERIFY(AdminApi::waitForConnections(admin(), 1)); // carol stays
    const QList<std::pair<QString, QJsonObject>> events{
        {u"for-alice"_s, {{u"users"_s, QJsonArray{u"alice"_s}}}},
        {u"for-bob"_s, {{u"users"_s, QJsonArray{u"u2"_s}}}},
        {u"for-all"_s, {}},
        {u"for-carol"_s, {{u"users"_s, QJsonArray{u"carol"_s}}}},
        {u"for-engineering"_s, {{u"groups"_s, QJsonArray{u"Engineering"_s}}}},
        {u"for-anonymous"_s, {{u"sessions"_s, QJsonArray{QString::fromLatin1(m_anonymousSession)}}}},
        {u"for-marketing"_s, {{u"groups"_s, QJsonArray{u"g1"_s}}}}};
    for (const auto &[data, target] : events) {
        QJsonObject body{{u"data"_s, data}};
        if (!target.isEmpty())
            body.insert(u"target"_s, target);
        QCOMPARE(AdminApi::push(admin(), body).status, 200);
    }

    const QStringList expected[WhoCount] = {
        {u"for-all"_s, u"for-anonymous"_s},
        {u"for-alice"_s, u"for-all"_s, u"for-marketing"_s},
        {u"for-bob"_s, u"for-all"_s, u"for-engineering"_s},
        {}};
    for (int who : {Anonymous, Alice, Bob}) {
        m_streams[who] = openAs(who, "/eventsource", lastIds[who], jwt);
        QVERIFY(m_streams[who]);
    }
    fence({m_streams[Anonymous].get(), m_streams[Alice].get(), m_streams[Bob].get()});
    for (int who : {Anonymous, Alice, Bob}) {
        QStringList received = dataOf(m_streams[who]->messages());
        received.removeLast(); // the fence
        QVERIFY2(received == expected[who], qPrintable(u"%1 got %2"_s.arg(agents[who], received.join(u", "))));
    }
    QCOMPARE(AdminApi::stats(admin())[u"resumeGaps"].toInt(-1), 0); // every resume was exact
}

void TestTargeting::pause_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<Set>("paused");

    QTest::newRow("all except group name Marketing")
        << QJsonObject{{u"delay"_s, 12345}, {u"exceptGroups"_s, QJsonArray{u"Marketing"_s}}} << Set{Anonymous, Bob};
    QTest::newRow("all except group id g2")
        << QJsonObject{{u"delay"_s, 5000}, {u"exceptGroups"_s, QJsonArray{u"g2"_s}}} << Set{Anonymous, Alice};
    QTest::newRow("target user bob")
        << QJsonObject{{u"delay"_s, 7000}, {u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"bob"_s}}}}} << Set{Bob};
    QTest::newRow("target group g1 except Engineering")
        << QJsonObject{{u"delay"_s, 1000}, {u"target"_s, QJsonObject{{u"groups"_s, QJsonArray{u"g1"_s}}}},
                       {u"exceptGroups"_s, QJsonArray{u"Engineering"_s}}}
        << Set{Alice};
    QTest::newRow("everyone, delay 0") << QJsonObject{{u"delay"_s, 0}} << Set{Anonymous, Alice, Bob, Carol};
    QTest::newRow("unknown user, longest delay")
        << QJsonObject{{u"delay"_s, 86400000}, {u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"nobody"_s}}}}} << Set{};
}

void TestTargeting::pause()
{
    QFETCH(QJsonObject, body);
    QFETCH(Set, paused);

    const qint64 metricBefore = AdminApi::metric(admin(), "eventsource_paused_total");
    QVERIFY(metricBefore >= 0);
    const int delay = body[u"delay"].toInt();
    const HttpResponse response = HttpClient::admin(admin(), "POST", "/api/pause", QJsonDocument(body).toJson());
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()[u"paused"].toInt(-1), paused.size());
    QCOMPARE(response.json()[u"delay"].toInt(-1), delay);

    QList<SseClient *> spared;
    for (int who = 0; who < WhoCount; ++who) {
        SseClient &stream = *m_streams[who];
        if (!paused.contains(who)) {
            spared.append(&stream);
            continue;
        }
        QVERIFY2(stream.waitForClosed(10000), agents[who]);
        QCOMPARE(stream.parser().retryMs(), qint64(delay));
        QVERIFY2(stream.body().endsWith("retry: " + QByteArray::number(delay) + "\n\n"), stream.body().right(40));
    }
    QVERIFY(AdminApi::waitForConnections(admin(), int(spared.size())));
    // The spared streams are still open and live.
    QCOMPARE(AdminApi::push(admin(), QJsonObject{{u"data"_s, u"after-pause"_s}}).delivered, spared.size());
    for (SseClient *stream : std::as_const(spared)) {
        QVERIFY(stream->waitForMessages(1));
        QCOMPARE(stream->messages().last().data, u"after-pause"_s);
        QVERIFY(!stream->isClosed());
        QCOMPARE(stream->parser().retryMs(), 3000); // the default, not the pause delay
    }
    QCOMPARE(AdminApi::metric(admin(), "eventsource_paused_total"), metricBefore + paused.size());
}

void TestTargeting::refusesInvalidPause_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("delay missing") << QByteArray(R"({"exceptGroups":["g1"]})");
    QTest::newRow("delay negative") << QByteArray(R"({"delay":-1})");
    QTest::newRow("delay over 24 h") << QByteArray(R"({"delay":86400001})");
    QTest::newRow("delay not an integer") << QByteArray(R"({"delay":1.5})");
    QTest::newRow("delay is a string") << QByteArray(R"({"delay":"1000"})");
    QTest::newRow("unknown field") << QByteArray(R"({"delay":1000,"everyone":true})");
    QTest::newRow("exceptGroups not an array") << QByteArray(R"({"delay":1000,"exceptGroups":"g1"})");
    QTest::newRow("exceptGroups holds a number") << QByteArray(R"({"delay":1000,"exceptGroups":[1]})");
    QTest::newRow("target not an object") << QByteArray(R"({"delay":1000,"target":"bob"})");
    QTest::newRow("malformed JSON") << QByteArray(R"({"delay":1000)");
}

void TestTargeting::refusesInvalidPause()
{
    QFETCH(QByteArray, body);
    const qint64 before = AdminApi::stats(admin())[u"paused"].toInteger(-1);
    const HttpResponse response = HttpClient::admin(admin(), "POST", "/api/pause", body);
    QCOMPARE(response.status, 400);
    QVERIFY(response.header("Content-Type").startsWith("application/json"));
    QVERIFY2(!response.json()[u"error"].toString().isEmpty(), response.body.constData());
    QCOMPARE(AdminApi::stats(admin())[u"paused"].toInteger(-1), before);
    QCOMPARE(AdminApi::stats(admin())[u"connections"].toInt(-1), int(WhoCount));
}

void TestTargeting::filtersConnections_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<Set>("expected");
    QTest::newRow("user=alice") << QByteArray("?user=alice") << Set{Alice};
    QTest::newRow("user=u1") << QByteArray("?user=u1") << Set{Alice};
    QTest::newRow("user=bob (JWT name)") << QByteArray("?user=bob") << Set{Bob};
    QTest::newRow("group=Engineering") << QByteArray("?group=Engineering") << Set{Bob, Carol};
    QTest::newRow("group=g1") << QByteArray("?group=g1") << Set{Alice, Carol};
    QTest::newRow("user=nobody") << QByteArray("?user=nobody") << Set{};
    QTest::newRow("group=Sales") << QByteArray("?group=Sales") << Set{};
    QTest::newRow("no filter") << QByteArray() << Set{Anonymous, Alice, Bob, Carol};
}

void TestTargeting::filtersConnections()
{
    QFETCH(QByteArray, query);
    QFETCH(Set, expected);
    const QJsonObject listing = HttpClient::admin(admin(), "GET", "/api/connections" + query).json().object();
    QStringList agentsListed;
    for (const QJsonValue &entry : listing[u"connections"].toArray())
        agentsListed.append(entry[u"userAgent"].toString());
    agentsListed.sort();
    QStringList wanted;
    for (int who : expected)
        wanted.append(QString::fromLatin1(agents[who]));
    wanted.sort();
    QCOMPARE(agentsListed, wanted);
    QCOMPARE(listing[u"count"].toInt(-1), expected.size());
}

QTEST_GUILESS_MAIN(TestTargeting)
#include "tst_targeting.moc"
