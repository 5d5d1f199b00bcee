#include "eventsourceclient.h"

#include "adminapi.h"
#include "httpclient.h"
#include "jwt.h"
#include "passwordhash.h"
#include "serverprocess.h"
#include "sseparser.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// EventSourceClient against the real server: parsing, raw bytes, resume after a kick, token and
// login identities, and the answers that fail the connection.
namespace {

using State = EventSourceClient::State;

const QByteArray jwtSecret = "console-test-client-secret-0123456789";
constexpr int retryMs = 300;

QJsonArray connections(quint16 adminPort)
{
    const HttpResponse response = HttpClient::admin(adminPort, "GET", "/api/connections");
    return response.json().object().value(QStringLiteral("connections")).toArray();
}

// The only open stream (every test closes its streams; cleanup() waits for that).
QJsonObject onlyConnection(quint16 adminPort)
{
    const QJsonArray list = connections(adminPort);
    return list.size() == 1 ? list.first().toObject() : QJsonObject();
}

QString describe(const QList<SseMessage> &messages)
{
    QStringList out;
    for (const SseMessage &m : messages)
        out.append(QStringLiteral("[%1 id=%2 data=%3]").arg(m.type, m.lastEventId, m.data));
    return out.join(u' ');
}

// Collects what a client hands out.
struct Received
{
    explicit Received(EventSourceClient *client)
    {
        QObject::connect(client, &EventSourceClient::eventReceived, client,
                         [this](const SseMessage &message) { events.append(message); });
        QObject::connect(client, &EventSourceClient::rawReceived, client,
                         [this](const QByteArray &chunk) { chunks.append(chunk); });
        QObject::connect(client, &EventSourceClient::statusReceived, client, [this](int status, const QByteArray &body) {
            statuses.append(status);
            bodies.append(body);
        });
        QObject::connect(client, &EventSourceClient::stateChanged, client,
                         [this](EventSourceClient::State state, const QString &) { states.append(state); });
    }
    QByteArray raw() const { return chunks.join(); }

    QList<SseMessage> events;
    QList<QByteArray> chunks;
    QList<int> statuses;
    QList<QByteArray> bodies;
    QList<EventSourceClient::State> states;
};

} // namespace

class tst_EventSourceClient final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void receivesParsedEvents_data();
    void receivesParsedEvents();
    void rawChunksMatchEvents();
    void resumesAfterKickWithoutLossOrDuplicates();
    void startsFromGivenLastEventId();
    void closedWithoutReconnect();
    void closeStopsTheStream();
    void tokenIdentifiesTheStream();
    void loginIdentifiesTheStream();
    void refusalFailsTheConnection_data();
    void refusalFailsTheConnection();

private:
    QUrl publicUrl(const QString &path) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.publicPort()).arg(path));
    }
    // Opens and waits until the server's first bytes (retry:, id:) arrived, so the stream is
    // registered before anything is pushed.
    bool openAndWait(EventSourceClient &client, const Received &received, const QUrl &url,
                     const EventSourceClient::Options &options = {})
    {
        client.open(url, options);
        return QTest::qWaitFor([&] { return received.raw().contains("retry:"); }, 10000)
            && client.state() == State::Open;
    }

    QTemporaryDir m_dir;
    ServerProcess m_server;
};

void tst_EventSourceClient::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QJsonObject directory{
        {QStringLiteral("groups"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("g1")},
                                                          {QStringLiteral("name"), QStringLiteral("Testers")}}}},
        {QStringLiteral("users"),
         QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("u1")},
                                {QStringLiteral("name"), QStringLiteral("alice")},
                                {QStringLiteral("password"), PasswordHash::create(QStringLiteral("alice-pw"), 1000)},
                                {QStringLiteral("groups"), QJsonArray{QStringLiteral("g1")}}}}}};
    QFile file(m_dir.filePath(QStringLiteral("users.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(directory).toJson());
    file.close();
    QVERIFY2(m_server.start({QStringLiteral("--retry-ms"), QString::number(retryMs), QStringLiteral("--users"),
                             file.fileName(), QStringLiteral("--jwt-secret"), QString::fromLatin1(jwtSecret)}),
             m_server.output().constData());
}

void tst_EventSourceClient::cleanup()
{
    // Streams of one test must not be seen by the next.
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

void tst_EventSourceClient::receivesParsedEvents_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QList<QByteArray>>("pushes"); // the last one is the event expected
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");

    QTest::newRow("plain message") << QStringLiteral("/eventsource") << QList<QByteArray>{R"({"data":"hello"})"}
                                   << QStringLiteral("message") << QStringLiteral("hello");
    QTest::newRow("named event") << QStringLiteral("/eventsource")
                                 << QList<QByteArray>{R"({"event":"itempurchased","data":"5 DVDs"})"}
                                 << QStringLiteral("itempurchased") << QStringLiteral("5 DVDs");
    QTest::newRow("multi-line data") << QStringLiteral("/eventsource")
                                     << QList<QByteArray>{R"({"event":"a","data":"one\r\ntwo\nthree"})"}
                                     << QStringLiteral("a") << QStringLiteral("one\ntwo\nthree");
    QTest::newRow("JSON payload") << QStringLiteral("/eventsource")
                                  << QList<QByteArray>{R"({"event":"a","data":{"nb":5,"type":"DVD"}})"}
                                  << QStringLiteral("a") << QStringLiteral(R"({"nb":5,"type":"DVD"})");
    QTest::newRow("UTF-8 data") << QStringLiteral("/eventsource")
                                << QList<QByteArray>{"{\"data\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}"}
                                << QStringLiteral("message") << QStringLiteral(u"café € 😀");
    QTest::newRow("event filter skips other names")
        << QStringLiteral("/eventsource/a,b")
        << QList<QByteArray>{R"({"event":"c","data":"not for me"})", R"({"data":"plain, not for me"})",
                             R"({"event":"b","data":"for me"})"}
        << QStringLiteral("b") << QStringLiteral("for me");
}

void tst_EventSourceClient::receivesParsedEvents()
{
    QFETCH(QString, path);
    QFETCH(QList<QByteArray>, pushes);
    QFETCH(QString, type);
    QFETCH(QString, data);

    EventSourceClient client;
    Received received(&client);
    QVERIFY(openAndWait(client, received, publicUrl(path)));
    AdminApi::Pushed last;
    for (const QByteArray &body : pushes) {
        last = AdminApi::push(m_server.adminPort(), body);
        QCOMPARE(last.status, 200);
    }
    QTRY_VERIFY(!received.events.isEmpty());
    const SseMessage &first = received.events.first();
    QVERIFY2(first.type == type && first.data == data, qPrintable(describe(received.events)));
    QCOMPARE(first.lastEventId, last.id);
    QCOMPARE(client.lastEventId(), last.id);
}

void tst_EventSourceClient::rawChunksMatchEvents()
{
    EventSourceClient client;
    Received received(&client);
    QVERIFY(openAndWait(client, received, publicUrl(QStringLiteral("/eventsource"))));
    QCOMPARE(client.retryMs(), qint64(retryMs));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("n"), QString::number(i)).status, 200);
    QTRY_COMPARE(received.events.size(), 20);

    // The chunks are the body as written: it starts with the retry line, and parsing their
    // concatenation afresh gives exactly the events the client handed out.
    const QByteArray raw = received.raw();
    QVERIFY2(raw.startsWith("retry: " + QByteArray::number(retryMs) + "\n"), raw.left(200).constData());
    QVERIFY(raw.contains("event: n\ndata: 19\n"));
    for (const QByteArray &chunk : received.chunks)
        QVERIFY(!chunk.isEmpty());
    SseParser parser;
    QCOMPARE(parser.feed(raw), received.events);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(received.events.at(i).data, QString::number(i));
}

void tst_EventSourceClient::resumesAfterKickWithoutLossOrDuplicates()
{
    const quint16 admin = m_server.adminPort();
    EventSourceClient client;
    Received received(&client);
    QVERIFY(openAndWait(client, received, publicUrl(QStringLiteral("/eventsource"))));
    const AdminApi::Pushed first = AdminApi::pushNamed(admin, QStringLiteral("k"), QStringLiteral("before"));
    QTRY_COMPARE(received.events.size(), 1);

    const QString connectionId = onlyConnection(admin).value(QStringLiteral("id")).toString();
    QVERIFY(!connectionId.isEmpty());
    QCOMPARE(HttpClient::admin(admin, "DELETE", "/api/connections/" + connectionId.toLatin1()).status, 200);
    // Waiting out the server's retry: what is pushed now can only come back by replay.
    QTRY_VERIFY(client.state() == State::Reconnecting && client.connectionCount() == 1);
    QCOMPARE(client.lastEventId(), first.id);
    const AdminApi::Pushed missed1 = AdminApi::pushNamed(admin, QStringLiteral("k"), QStringLiteral("missed 1"));
    const AdminApi::Pushed missed2 = AdminApi::pushNamed(admin, QStringLiteral("k"), QStringLiteral("missed 2"));
    QCOMPARE(missed2.status, 200);

    QTRY_VERIFY(client.state() == State::Open && client.connectionCount() == 2);
    QTRY_COMPARE(received.events.size(), 3);
    const AdminApi::Pushed live = AdminApi::pushNamed(admin, QStringLiteral("k"), QStringLiteral("live"));
    QTRY_COMPARE(received.events.size(), 4);

    const QList<SseMessage> expected{{QStringLiteral("k"), QStringLiteral("before"), first.id},
                                     {QStringLiteral("k"), QStringLiteral("missed 1"), missed1.id},
                                     {QStringLiteral("k"), QStringLiteral("missed 2"), missed2.id},
                                     {QStringLiteral("k"), QStringLiteral("live"), live.id}};
    QVERIFY2(received.events == expected, qPrintable(describe(received.events)));
    QVERIFY(received.states.contains(State::Reconnecting));
}

void tst_EventSourceClient::startsFromGivenLastEventId()
{
    const quint16 admin = m_server.adminPort();
    const AdminApi::Pushed seen = AdminApi::pushNamed(admin, QStringLiteral("r"), QStringLiteral("seen"));
    const AdminApi::Pushed missed = AdminApi::pushNamed(admin, QStringLiteral("r"), QStringLiteral("missed"));
    QCOMPARE(missed.status, 200);

    EventSourceClient client;
    Received received(&client);
    EventSourceClient::Options options;
    options.lastEventId = seen.id;
    client.open(publicUrl(QStringLiteral("/eventsource/r")), options);
    QTRY_COMPARE(received.events.size(), 1);
    QCOMPARE(received.events.first(), (SseMessage{QStringLiteral("r"), QStringLiteral("missed"), missed.id}));
}

void tst_EventSourceClient::closedWithoutReconnect()
{
    EventSourceClient client;
    Received received(&client);
    EventSourceClient::Options options;
    options.reconnect = false;
    QVERIFY(openAndWait(client, received, publicUrl(QStringLiteral("/eventsource")), options));
    const QString connectionId = onlyConnection(m_server.adminPort()).value(QStringLiteral("id")).toString();
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "DELETE", "/api/connections/" + connectionId.toLatin1()).status,
             200);
    QTRY_COMPARE(client.state(), State::Closed);
    QSignalSpy states(&client, &EventSourceClient::stateChanged);
    QVERIFY(!states.wait(retryMs * 3)); // no reconnection comes
    QCOMPARE(client.connectionCount(), 1);
    QVERIFY(!received.states.contains(State::Reconnecting));
}

void tst_EventSourceClient::closeStopsTheStream()
{
    EventSourceClient client;
    Received received(&client);
    QVERIFY(openAndWait(client, received, publicUrl(QStringLiteral("/eventsource"))));
    QCOMPARE(AdminApi::connections(m_server.adminPort()), 1);
    client.close();
    QCOMPARE(client.state(), State::Closed);
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
    QSignalSpy states(&client, &EventSourceClient::stateChanged);
    QVERIFY(!states.wait(retryMs * 3));
    QCOMPARE(client.connectionCount(), 1);
}

void tst_EventSourceClient::tokenIdentifiesTheStream()
{
    const QByteArray token = Jwt::sign({{QStringLiteral("sub"), QStringLiteral("token-user")},
                                        {QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + 3600}},
                                       jwtSecret);
    EventSourceClient client;
    Received received(&client);
    EventSourceClient::Options options;
    options.token = QString::fromLatin1(token);
    QVERIFY(openAndWait(client, received, publicUrl(QStringLiteral("/eventsource")), options));
    QCOMPARE(onlyConnection(m_server.adminPort()).value(QStringLiteral("userId")).toString(),
             QStringLiteral("token-user"));

    const AdminApi::Pushed pushed = AdminApi::push(
        m_server.adminPort(), QByteArray(R"({"event":"t","data":"for you","target":{"users":["token-user"]}})"));
    QCOMPARE(pushed.delivered, 1);
    QTRY_COMPARE(received.events.size(), 1);
    QCOMPARE(received.events.first().data, QStringLiteral("for you"));
}

void tst_EventSourceClient::loginIdentifiesTheStream()
{
    EventSourceClient client;
    Received received(&client);
    EventSourceClient::Options options;
    options.loginUser = QStringLiteral("alice");
    options.loginPassword = QStringLiteral("alice-pw");
    const QUrl url = publicUrl(QStringLiteral("/eventsource"));
    QVERIFY(openAndWait(client, received, url, options));
    const QJsonObject entry = onlyConnection(m_server.adminPort());
    QCOMPARE(entry.value(QStringLiteral("userId")).toString(), QStringLiteral("u1"));
    QCOMPARE(entry.value(QStringLiteral("userName")).toString(), QStringLiteral("alice"));
    QVERIFY(received.statuses.isEmpty());

    bool hasSession = false;
    for (const QNetworkCookie &cookie : client.networkAccessManager()->cookieJar()->cookiesForUrl(url))
        hasSession = hasSession || cookie.name() == "eventsource_session";
    QVERIFY(hasSession);

    const AdminApi::Pushed pushed = AdminApi::push(
        m_server.adminPort(), QByteArray(R"({"data":"to testers","target":{"groups":["Testers"]}})"));
    QCOMPARE(pushed.delivered, 1);
    QTRY_COMPARE(received.events.size(), 1);
    QCOMPARE(received.events.first().data, QStringLiteral("to testers"));
}

void tst_EventSourceClient::refusalFailsTheConnection_data()
{
    QTest::addColumn<bool>("adminListener");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("loginPassword"); // alice logs in first when set
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyPart");

    QTest::newRow("invalid token: 401") << false << QStringLiteral("/eventsource") << QStringLiteral("not.a.jwt")
                                        << QString() << 401 << QByteArray("\"error\"");
    QTest::newRow("wrong login password: 401 from /login")
        << false << QStringLiteral("/eventsource") << QString() << QStringLiteral("wrong") << 401
        << QByteArray("wrong user name or password");
    QTest::newRow("unknown path: 404") << false << QStringLiteral("/nowhere") << QString() << QString() << 404
                                       << QByteArray("\"error\"");
    QTest::newRow("200 that is not text/event-stream")
        << true << QStringLiteral("/health") << QString::fromLatin1(ServerProcess::adminToken) << QString() << 200
        << QByteArray("{");
}

void tst_EventSourceClient::refusalFailsTheConnection()
{
    QFETCH(bool, adminListener);
    QFETCH(QString, path);
    QFETCH(QString, token);
    QFETCH(QString, loginPassword);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyPart);

    EventSourceClient client;
    Received received(&client);
    EventSourceClient::Options options;
    options.token = token;
    if (!loginPassword.isEmpty()) {
        options.loginUser = QStringLiteral("alice");
        options.loginPassword = loginPassword;
    }
    const quint16 port = adminListener ? m_server.adminPort() : m_server.publicPort();
    client.open(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)), options);
    QTRY_COMPARE(client.state(), State::Failed);
    QCOMPARE(received.statuses, QList<int>{status});
    QVERIFY2(received.bodies.first().contains(bodyPart), received.bodies.first().constData());
    QVERIFY(received.events.isEmpty());
    QVERIFY(!received.states.contains(State::Open));

    // A failed connection is not reestablished (WHATWG HTML §9.2.3).
    QSignalSpy states(&client, &EventSourceClient::stateChanged);
    QVERIFY(!states.wait(retryMs * 3));
    QCOMPARE(client.connectionCount(), loginPassword.isEmpty() ? 1 : 0);
}

QTEST_GUILESS_MAIN(tst_EventSourceClient)
#include "tst_eventsourceclient.moc"
