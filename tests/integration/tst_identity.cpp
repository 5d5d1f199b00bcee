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
#include <QMessageAuthenticationCode>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray secret = "identity-integration-secret-0123456789abcdef";
const QRegularExpression sessionCookie(
    u"^eventsource_session=([A-Za-z0-9_-]{22}); Path=/; HttpOnly; SameSite=Lax$"_s);

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

// A signed token valid for an hour unless the claims say otherwise.
QByteArray mint(QJsonObject claims, const QByteArray &key = secret)
{
    if (!claims.contains(u"exp"))
        claims.insert(u"exp"_s, now() + 3600);
    return Jwt::sign(claims, key);
}

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// A token whose header names another algorithm, signed with the right secret by that one.
QByteArray craftedToken(const QByteArray &header, QCryptographicHash::Algorithm algorithm)
{
    const QByteArray input = b64(header) + '.' + b64(R"({"sub":"u1","exp":9999999999})");
    if (header.contains("none"))
        return input + '.';
    return input + '.' + b64(QMessageAuthenticationCode::hash(input, secret, algorithm));
}

// A valid token of exactly `size` bytes (a padding claim grows it); empty if none fits.
QByteArray tokenOfSize(qsizetype size)
{
    QJsonObject claims{{u"sub"_s, u"u-big"_s}, {u"exp"_s, now() + 3600}};
    qsizetype pad = 0;
    for (int step = 0; step < 200; ++step) {
        claims.insert(u"pad"_s, QString(pad, u'x'));
        const QByteArray token = Jwt::sign(claims, secret);
        if (token.size() == size)
            return token;
        const qsizetype move = (size - token.size()) * 3 / 4;
        pad = qMax<qsizetype>(0, pad + (move != 0 ? move : (size > token.size() ? 1 : -1)));
    }
    return {};
}

QJsonObject userEntry(const QString &id, const QString &name, const QString &password, const QStringList &groups)
{
    return {{u"id"_s, id}, {u"name"_s, name}, {u"password"_s, PasswordHash::create(password, 1000)},
            {u"groups"_s, QJsonArray::fromStringList(groups)}};
}

QByteArray sessionOf(const QByteArray &setCookie)
{
    return sessionCookie.match(QString::fromLatin1(setCookie)).captured(1).toLatin1();
}

QByteArray cookie(const QByteArray &session)
{
    return "eventsource_session=" + session;
}

void verifyRefused(const HttpResponse &response, int status = 401)
{
    QCOMPARE(response.status, status);
    QVERIFY2(response.header("Content-Type").startsWith("application/json"), response.header("Content-Type"));
    QVERIFY2(!response.json()[u"error"].toString().isEmpty(), response.body.constData());
    QVERIFY(!response.body.contains("retry:"));
}

} // namespace

class TestIdentity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void acceptsToken_data();
    void acceptsToken();
    void refusesBadToken_data();
    void refusesBadToken();
    void acceptsTokenOfMaximumSize();
    void listsPrincipalFromClaims();
    void anonymousStreamKeepsSessionCookie();
    void denyAnonymous();
    void closesStreamWhenTokenExpires();
    void login_data();
    void login();
    void loginWithoutUsersIsNotFound();
    void loginNeedsPost();
    void loginCookieStreamIsThatUser();
    void loginClosesAnonymousStreamsOfSession();
    void logoutClosesStreamsAndClearsCookie();
    void logoutWithoutSession();
    void foreignSessionIdNotAdopted();
    void tokensNeverLogged();

private:
    QByteArray login(const QByteArray &name, const QByteArray &password, const QByteArray &oldSession = {})
    {
        HttpClient::Headers headers{{"Content-Type", "application/json"}};
        if (!oldSession.isEmpty())
            headers.append({"Cookie", cookie(oldSession)});
        const HttpResponse response = HttpClient::request(
            m_server.publicPort(), "POST", "/login",
            QJsonDocument(QJsonObject{{u"username"_s, QString::fromUtf8(name)},
                                      {u"password"_s, QString::fromUtf8(password)}}).toJson(),
            headers);
        return response.status == 200 ? sessionOf(response.header("Set-Cookie")) : QByteArray();
    }

    QTemporaryDir m_dir;
    ServerProcess m_server; // secret, users, 256 KiB headers
    ServerProcess m_query;  // secret, ?token= allowed, debug logging on
    ServerProcess m_plain;  // no secret, no users
};

void TestIdentity::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QJsonObject directory{
        {u"groups"_s, QJsonArray{QJsonObject{{u"id"_s, u"g1"_s}, {u"name"_s, u"Marketing"_s}},
                                 QJsonObject{{u"id"_s, u"g2"_s}, {u"name"_s, u"Engineering"_s}}}},
        {u"users"_s, QJsonArray{userEntry(u"u1"_s, u"alice"_s, u"alice-pw"_s, {u"g1"_s}),
                                userEntry(u"u2"_s, u"bob"_s, u"b&b pw+1"_s, {u"g2"_s}),
                                userEntry(u"u3"_s, u"carol"_s, u"carol-pw"_s, {u"g1"_s, u"g2"_s})}}};
    QFile file(m_dir.filePath(u"users.json"_s));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(directory).toJson());
    file.close();

    QVERIFY2(m_server.start({u"--jwt-secret"_s, QString::fromLatin1(secret), u"--users"_s, file.fileName(),
                             u"--max-header-kb"_s, u"256"_s}),
             m_server.output().constData());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"QT_LOGGING_RULES"_s, u"eventsource.*=true"_s);
    QVERIFY2(m_query.start({u"--jwt-secret"_s, QString::fromLatin1(secret), u"--allow-query-token"_s}, env),
             m_query.output().constData());
    QVERIFY2(m_plain.start(), m_plain.output().constData());
}

void TestIdentity::acceptsToken_data()
{
    QTest::addColumn<QString>("where");
    QTest::newRow("Authorization header") << u"header"_s;
    QTest::newRow("JWT cookie") << u"cookie"_s;
    QTest::newRow("?token= with --allow-query-token") << u"query"_s;
}

void TestIdentity::acceptsToken()
{
    QFETCH(QString, where);
    const QByteArray token = mint({{u"sub"_s, u"user-"_s + where}});
    ServerProcess &server = where == u"query" ? m_query : m_server;
    QByteArray target = "/eventsource";
    SseClient::Headers headers{{"User-Agent", "accepts-" + where.toLatin1()}};
    if (where == u"header")
        headers.append({"Authorization", "Bearer " + token});
    else if (where == u"cookie")
        headers.append({"Cookie", "eventsource_token=" + token});
    else
        target += "?token=" + token;

    SseClient client;
    QVERIFY(client.open(server.publicPort(), target, headers));
    QCOMPARE(client.status(), 200);
    QCOMPARE(client.header("Content-Type"), "text/event-stream");
    QVERIFY(client.waitForBody("retry:"));
    const QJsonObject entry = AdminApi::connectionOf(server.adminPort(), u"accepts-"_s + where);
    QCOMPARE(entry[u"userId"].toString(), u"user-"_s + where);
}

void TestIdentity::refusesBadToken_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("noSecret");

    const QJsonObject alice{{u"sub"_s, u"u1"_s}};
    const QByteArray valid = mint(alice);
    QTest::newRow("expired") << QByteArray("/eventsource") << QByteArray("Authorization")
                             << "Bearer " + mint({{u"sub"_s, u"u1"_s}, {u"exp"_s, now() - 60}}) << false;
    QTest::newRow("not yet valid (nbf)") << QByteArray("/eventsource") << QByteArray("Authorization")
                                         << "Bearer " + mint({{u"sub"_s, u"u1"_s}, {u"nbf"_s, now() + 3600}}) << false;
    QTest::newRow("wrong signature") << QByteArray("/eventsource") << QByteArray("Authorization")
                                     << "Bearer " + mint(alice, "another-secret-of-enough-length-0123456789") << false;
    QTest::newRow("alg none") << QByteArray("/eventsource") << QByteArray("Authorization")
                              << "Bearer " + craftedToken(R"({"alg":"none","typ":"JWT"})", QCryptographicHash::Sha256)
                              << false;
    QTest::newRow("alg HS512 re-signed") << QByteArray("/eventsource") << QByteArray("Authorization")
                                         << "Bearer " + craftedToken(R"({"alg":"HS512","typ":"JWT"})", QCryptographicHash::Sha512)
                                         << false;
    QTest::newRow("malformed") << QByteArray("/eventsource") << QByteArray("Authorization")
                               << QByteArray("Bearer not.a-token") << false;
    QTest::newRow("no sub claim") << QByteArray("/eventsource") << QByteArray("Authorization")
                                  << "Bearer " + mint({{u"name"_s, u"alice"_s}}) << false;
    const QByteArray huge = tokenOfSize(Jwt::maxTokenBytes + 1);
    QCOMPARE(huge.size(), Jwt::maxTokenBytes + 1);
    QTest::newRow("64 KiB + 1 token") << QByteArray("/eventsource") << QByteArray("Authorization")
                                      << "Bearer " + huge << false;
    QTest::newRow("token when no --jwt-secret") << QByteArray("/eventsource") << QByteArray("Authorization")
                                                << "Bearer " + valid << true;
    QTest::newRow("JWT cookie when no --jwt-secret") << QByteArray("/eventsource") << QByteArray("Cookie")
                                                     << "eventsource_token=" + valid << true;
    QTest::newRow("Authorization not Bearer") << QByteArray("/eventsource") << QByteArray("Authorization")
                                              << QByteArray("Basic dXNlcjpwYXNz") << false;
    QTest::newRow("invalid token in JWT cookie") << QByteArray("/eventsource") << QByteArray("Cookie")
                                                 << "eventsource_token=" + mint(alice, "wrong-secret-wrong-secret-wrong-secret") << false;
    QTest::newRow("?token= without --allow-query-token") << "/eventsource?token=" + valid << QByteArray()
                                                         << QByteArray() << false;
}

void TestIdentity::refusesBadToken()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(bool, noSecret);

    ServerProcess &server = noSecret ? m_plain : m_server;
    const qint64 opened = AdminApi::stats(server.adminPort())[u"connectionsOpened"].toInteger(-1);
    HttpClient::Headers headers{{"Accept", "text/event-stream"}};
    if (!header.isEmpty())
        headers.append({header, value});
    const HttpResponse response = HttpClient::request(server.publicPort(), "GET", target, {}, headers);
    verifyRefused(response);
    QVERIFY2(response.header("WWW-Authenticate").startsWith("Bearer"), response.header("WWW-Authenticate"));
    QVERIFY(response.header("Content-Type") != "text/event-stream");
    QVERIFY(response.header("Set-Cookie").isEmpty());
    for (const QByteArray &carrier : {target, value}) {
        const QByteArray signature = carrier.mid(carrier.lastIndexOf('.') + 1);
        if (signature.size() >= 16) // the error never quotes the token
            QVERIFY(!response.body.contains(signature));
    }
    QCOMPARE(AdminApi::stats(server.adminPort())[u"connectionsOpened"].toInteger(-1), opened);
}

void TestIdentity::acceptsTokenOfMaximumSize()
{
    // The boundary beside the "64 KiB + 1" row: the refusal is about size, not form.
    const QByteArray token = tokenOfSize(Jwt::maxTokenBytes);
    QCOMPARE(token.size(), Jwt::maxTokenBytes);
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource", {{"Authorization", "Bearer " + token}}));
    QCOMPARE(client.status(), 200);
}

void TestIdentity::listsPrincipalFromClaims()
{
    const QJsonObject claims{
        {u"sub"_s, u"u42"_s}, {u"name"_s, u"dora"_s}, {u"sid"_s, u"dora-session"_s},
        {u"groups"_s, QJsonArray{u"Sales"_s, QJsonObject{{u"id"_s, u"g7"_s}, {u"name"_s, u"Support"_s}},
                                 QJsonObject{{u"id"_s, u"g8"_s}}}}};
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource",
                        {{"Authorization", "Bearer " + mint(claims)}, {"User-Agent", "principal"}}));
    QCOMPARE(client.status(), 200);
    QVERIFY(client.header("Set-Cookie").isEmpty()); // the session comes from sid
    const QJsonObject entry = AdminApi::connectionOf(m_server.adminPort(), u"principal"_s);
    QCOMPARE(entry[u"userId"].toString(), u"u42"_s);
    QCOMPARE(entry[u"userName"].toString(), u"dora"_s);
    QCOMPARE(entry[u"session"].toString(), u"dora-session"_s);
    QCOMPARE(entry[u"groups"].toArray(), (QJsonArray{u"Sales"_s, u"Support"_s}));
    QCOMPARE(entry[u"groupIds"].toArray(), (QJsonArray{u"g7"_s, u"g8"_s}));
    QVERIFY(entry[u"expiresAt"].isString());
}

void TestIdentity::anonymousStreamKeepsSessionCookie()
{
    SseClient first;
    QVERIFY(first.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "anon-1"}}));
    QCOMPARE(first.status(), 200);
    const QByteArray session = sessionOf(first.header("Set-Cookie"));
    QVERIFY2(session.size() == 22, first.header("Set-Cookie"));

    SseClient second;
    QVERIFY(second.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "anon-2"}, {"Cookie", cookie(session)}}));
    QCOMPARE(second.status(), 200);
    QVERIFY(second.header("Set-Cookie").isEmpty());
    SseClient other;
    QVERIFY(other.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "anon-3"}}));
    QVERIFY(sessionOf(other.header("Set-Cookie")) != session);

    for (const QString &agent : {u"anon-1"_s, u"anon-2"_s}) {
        const QJsonObject entry = AdminApi::connectionOf(m_server.adminPort(), agent);
        QCOMPARE(entry[u"session"].toString().toLatin1(), session);
        QVERIFY(entry[u"userId"].isNull());
        QVERIFY(entry[u"userName"].isNull());
        QCOMPARE(entry[u"groups"].toArray(), QJsonArray());
    }
}

void TestIdentity::denyAnonymous()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--deny-anonymous"_s, u"--jwt-secret"_s, QString::fromLatin1(secret)}),
             server.output().constData());
    for (const QByteArray &cookieHeader : {QByteArray(), cookie("AAAAAAAAAAAAAAAAAAAAAA")}) {
        HttpClient::Headers headers{{"Accept", "text/event-stream"}};
        if (!cookieHeader.isEmpty())
            headers.append({"Cookie", cookieHeader});
        const HttpResponse refused = HttpClient::request(server.publicPort(), "GET", "/eventsource", {}, headers);
        verifyRefused(refused);
        QVERIFY(refused.header("WWW-Authenticate").startsWith("Bearer"));
    }
    SseClient client;
    QVERIFY(client.open(server.publicPort(), "/eventsource", {{"Authorization", "Bearer " + mint({{u"sub"_s, u"u1"_s}})}}));
    QCOMPARE(client.status(), 200);
    QCOMPARE(client.header("Content-Type"), "text/event-stream");
}

void TestIdentity::closesStreamWhenTokenExpires()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--jwt-secret"_s, QString::fromLatin1(secret)}), server.output().constData());
    SseClient shortLived;
    QVERIFY(shortLived.open(server.publicPort(), "/eventsource",
                            {{"Authorization", "Bearer " + mint({{u"sub"_s, u"u1"_s}, {u"exp"_s, now() + 2}})},
                             {"User-Agent", "short"}}));
    QCOMPARE(shortLived.status(), 200);
    SseClient longLived;
    QVERIFY(longLived.open(server.publicPort(), "/eventsource",
                           {{"Authorization", "Bearer " + mint({{u"sub"_s, u"u2"_s}})}}));
    QCOMPARE(longLived.status(), 200);
    QVERIFY(AdminApi::connectionOf(server.adminPort(), u"short"_s)[u"expiresAt"].isString());

    QVERIFY(shortLived.waitForClosed(10000));
    QCOMPARE(AdminApi::stats(server.adminPort())[u"tokenExpired"].toInteger(-1), 1);
    QVERIFY(AdminApi::waitForConnections(server.adminPort(), 1));
    QVERIFY(!longLived.isClosed());
}

void TestIdentity::login_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("userId");

    const QByteArray json = "application/json";
    const QByteArray form = "application/x-www-form-urlencoded";
    QTest::newRow("JSON") << json << QByteArray(R"({"username":"alice","password":"alice-pw"})") << 200 << u"u1"_s;
    QTest::newRow("form") << form << QByteArray("username=bob&password=b%26b+pw%2B1") << 200 << u"u2"_s;
    QTest::newRow("JSON, wrong password") << json << QByteArray(R"({"username":"alice","password":"alice-PW"})") << 401 << QString();
    QTest::newRow("form, wrong password") << form << QByteArray("username=bob&password=b%26b+pw+1") << 401 << QString();
    QTest::newRow("JSON, unknown user") << json << QByteArray(R"({"username":"mallory","password":"alice-pw"})") << 401 << QString();
    QTest::newRow("form, unknown user") << form << QByteArray("username=mallory&password=x") << 401 << QString();
}

void TestIdentity::login()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, userId);

    const HttpResponse response = HttpClient::request(m_server.publicPort(), "POST", "/login", body,
                                                      {{"Content-Type", contentType}});
    if (status != 200) {
        verifyRefused(response, status);
        QVERIFY(response.header("Set-Cookie").isEmpty());
        return;
    }
    QCOMPARE(response.status, 200);
    QVERIFY2(sessionOf(response.header("Set-Cookie")).size() == 22, response.header("Set-Cookie"));
    const QJsonObject user = response.json()[u"user"].toObject();
    QCOMPARE(user[u"id"].toString(), userId);
    QCOMPARE(user[u"name"].toString(), userId == u"u1" ? u"alice"_s : u"bob"_s);
    QCOMPARE(user[u"groups"].toArray(), QJsonArray{userId == u"u1" ? u"Marketing"_s : u"Engineering"_s});
}

void TestIdentity::loginWithoutUsersIsNotFound()
{
    for (const QByteArray path : {"/login", "/logout"}) {
        const HttpResponse response = HttpClient::request(m_plain.publicPort(), "POST", path,
                                                          R"({"username":"alice","password":"alice-pw"})",
                                                          {{"Content-Type", "application/json"}});
        verifyRefused(response, 404);
    }
}

void TestIdentity::loginNeedsPost()
{
    const HttpResponse response = HttpClient::request(m_server.publicPort(), "GET", "/login");
    verifyRefused(response, 405);
    QVERIFY2(response.header("Allow").contains("POST"), response.header("Allow"));
}

void TestIdentity::loginCookieStreamIsThatUser()
{
    const QByteArray session = login("carol", "carol-pw");
    QCOMPARE(session.size(), 22);
    SseClient client;
    QVERIFY(client.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie(session)}, {"User-Agent", "carol"}}));
    QCOMPARE(client.status(), 200);
    QVERIFY(client.header("Set-Cookie").isEmpty());
    const QJsonObject entry = AdminApi::connectionOf(m_server.adminPort(), u"carol"_s);
    QCOMPARE(entry[u"userId"].toString(), u"u3"_s);
    QCOMPARE(entry[u"userName"].toString(), u"carol"_s);
    QCOMPARE(entry[u"session"].toString().toLatin1(), session);
    QCOMPARE(entry[u"groups"].toArray(), (QJsonArray{u"Marketing"_s, u"Engineering"_s}));
    QCOMPARE(entry[u"groupIds"].toArray(), (QJsonArray{u"g1"_s, u"g2"_s}));
}

void TestIdentity::loginClosesAnonymousStreamsOfSession()
{
    SseClient anonymous;
    QVERIFY(anonymous.open(m_server.publicPort(), "/eventsource"));
    const QByteArray session = sessionOf(anonymous.header("Set-Cookie"));
    QCOMPARE(session.size(), 22);
    SseClient bystander; // another browser, another session
    QVERIFY(bystander.open(m_server.publicPort(), "/eventsource", {{"User-Agent", "bystander"}}));
    QVERIFY(anonymous.waitForBody("retry:"));

    const QByteArray newSession = login("alice", "alice-pw", session);
    QCOMPARE(newSession.size(), 22);
    QVERIFY(newSession != session);
    QVERIFY(anonymous.waitForClosed(10000));
    QVERIFY(!AdminApi::connectionOf(m_server.adminPort(), u"bystander"_s).isEmpty());
    QVERIFY(!bystander.isClosed());
}

void TestIdentity::logoutClosesStreamsAndClearsCookie()
{
    const QByteArray session = login("alice", "alice-pw");
    QCOMPARE(session.size(), 22);
    SseClient stream;
    QVERIFY(stream.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie(session)}, {"User-Agent", "alice-in"}}));
    QCOMPARE(AdminApi::connectionOf(m_server.adminPort(), u"alice-in"_s)[u"userId"].toString(), u"u1"_s);

    const HttpResponse response = HttpClient::request(m_server.publicPort(), "POST", "/logout", {},
                                                      {{"Cookie", cookie(session)}});
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()[u"loggedOut"], QJsonValue(true));
    const QByteArray cleared = response.header("Set-Cookie");
    QVERIFY2(cleared.startsWith("eventsource_session=;") && cleared.contains("Max-Age=0"), cleared);
    QVERIFY(stream.waitForClosed(10000));

    SseClient after;
    QVERIFY(after.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie(session)}, {"User-Agent", "alice-out"}}));
    QCOMPARE(after.status(), 200);
    const QJsonObject entry = AdminApi::connectionOf(m_server.adminPort(), u"alice-out"_s);
    QVERIFY(!entry.isEmpty());
    QVERIFY(entry[u"userId"].isNull());
    // The logged-out id is not taken back: the stream gets a new session.
    const QByteArray fresh = sessionOf(after.header("Set-Cookie"));
    QCOMPARE(fresh.size(), 22);
    QVERIFY(fresh != session);
    QCOMPARE(entry[u"session"].toString().toLatin1(), fresh);

    const HttpResponse again = HttpClient::request(m_server.publicPort(), "POST", "/logout", {},
                                                   {{"Cookie", cookie(session)}});
    QCOMPARE(again.json()[u"loggedOut"], QJsonValue(false));
}

void TestIdentity::logoutWithoutSession()
{
    const HttpResponse response = HttpClient::request(m_server.publicPort(), "POST", "/logout");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()[u"loggedOut"], QJsonValue(false));
}

// Session fixation: an attacker who plants a well-formed id in a victim's browser must not
// share the victim's session (and, after the victim logs in, the victim's events).
void TestIdentity::foreignSessionIdNotAdopted()
{
    const QByteArray planted = "AAAAAAAAAAAAAAAAAAAAAA";
    SseClient victim;
    QVERIFY(victim.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie(planted)}, {"User-Agent", "planted"}}));
    QCOMPARE(victim.status(), 200);
    const QByteArray issued = sessionOf(victim.header("Set-Cookie"));
    QCOMPARE(issued.size(), 22);
    QVERIFY(issued != planted);
    QCOMPARE(AdminApi::connectionOf(m_server.adminPort(), u"planted"_s)[u"session"].toString().toLatin1(), issued);

    // Logging in with the planted id does not make it a session either.
    const HttpResponse response = HttpClient::request(
        m_server.publicPort(), "POST", "/login", R"({"username":"carol","password":"carol-pw"})",
        {{"Content-Type", "application/json"}, {"Cookie", cookie(planted)}});
    QCOMPARE(response.status, 200);
    const QByteArray loggedIn = sessionOf(response.header("Set-Cookie"));
    QCOMPARE(loggedIn.size(), 22);
    QVERIFY(loggedIn != planted);
    SseClient attacker;
    QVERIFY(attacker.open(m_server.publicPort(), "/eventsource", {{"Cookie", cookie(planted)}, {"User-Agent", "attacker"}}));
    QVERIFY(AdminApi::connectionOf(m_server.adminPort(), u"attacker"_s)[u"userId"].isNull());
}

void TestIdentity::tokensNeverLogged()
{
    QList<QByteArray> tokens;
    const auto next = [&tokens](const QByteArray &key = secret) {
        tokens.append(mint({{u"sub"_s, u"logged-%1"_s.arg(tokens.size())}}, key));
        return tokens.last();
    };
    const auto open = [](ServerProcess &server, const QByteArray &target, const SseClient::Headers &headers) {
        SseClient client;
        return client.open(server.publicPort(), target, headers) ? client.status() : 0;
    };
    const QByteArray wrongKey = "not-the-server-secret-not-the-server-secret";
    QCOMPARE(open(m_query, "/eventsource", {{"Authorization", "Bearer " + next()}}), 200);
    QCOMPARE(open(m_query, "/eventsource", {{"Cookie", "eventsource_token=" + next()}}), 200);
    QCOMPARE(open(m_query, "/eventsource?token=" + next(), {}), 200);
    QCOMPARE(open(m_query, "/eventsource/a,b?lastEventId=x&token=" + next(), {}), 200);
    QCOMPARE(open(m_query, "/eventsource", {{"Authorization", "Bearer " + next(wrongKey)}}), 401);
    QCOMPARE(open(m_query, "/eventsource?token=" + next(wrongKey), {}), 401);
    QCOMPARE(open(m_query, "/eventsource", {{"Cookie", "eventsource_token=" + next(wrongKey)}}), 401);
    QCOMPARE(open(m_server, "/eventsource?token=" + next(), {}), 401);
    QCOMPARE(open(m_server, "/eventsource", {{"Authorization", "Bearer " + next(wrongKey)}}), 401);

    QVERIFY(AdminApi::waitForConnections(m_query.adminPort(), 0));
    // Debug logging is on for m_query: the check covers the most talkative configuration.
    // output() only holds what was read from the pipes, so read until the 4 opened streams
    // are logged.
    const QDeadlineTimer deadline(10000);
    while (m_query.output().count("stream opened") < 4 && !deadline.hasExpired())
        m_query.process().waitForReadyRead(50);
    m_server.process().waitForReadyRead(200);
    const QByteArray output = m_query.output() + m_server.output();
    QVERIFY2(output.count("stream opened") >= 4, output.constData());
    for (const QByteArray &token : std::as_const(tokens)) {
        const QList<QByteArray> parts = token.split('.');
        QVERIFY2(!output.contains(parts[1]), token.constData());
        QVERIFY2(!output.contains(parts[2]), token.constData());
    }
}

QTEST_GUILESS_MAIN(TestIdentity)
#include "tst_identity.moc"
