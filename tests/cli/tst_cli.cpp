#include "httpclient.h"
#include "jwt.h"
#include "passwordhash.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

const QByteArray jwtSecret = "cli-test-secret-0123456789abcdef-0123456789";
const QString wrongToken = u"wrong-admin-token-4711"_s;
const QString secretCanary = u"super-secret-canary-value"_s;

QString cliBinary()
{
    return QStringLiteral(ESH_CLI_BINARY);
}

// The test's own environment without anything that would choose a server or a secret.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"EVENTSOURCE_ADMIN_URL", "EVENTSOURCE_ADMIN_TOKEN", "EVENTSOURCE_JWT_SECRET"})
        environment.remove(QString::fromLatin1(name));
    return environment;
}

struct CliResult
{
    bool finished = false;
    int exitCode = -1; // -1 after a crash or a timeout
    QByteArray out;
    QByteArray err;

    QStringList lines() const { return QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts); }
    // A failure is one line on stderr.
    bool oneErrorLine() const { return err.startsWith("eventsource-cli: ") && err.count('\n') == 1 && err.endsWith('\n'); }
    QByteArray describe() const
    {
        return "exit=" + QByteArray::number(exitCode) + " stdout=[" + out + "] stderr=[" + err + "]";
    }
};

// Runs eventsource-cli to its end (stdin: input, then end of file).
CliResult runCli(const QStringList &arguments, const QByteArray &input = {},
                 const QProcessEnvironment &environment = cleanEnvironment(), int timeoutMs = 20000)
{
    CliResult result;
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(cliBinary(), arguments);
    if (!process.waitForStarted(10000))
        return result;
    process.write(input);
    process.closeWriteChannel();
    result.finished = process.waitForFinished(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = result.finished && process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

// A long-running eventsource-cli (listen) read while it runs.
class CliProcess final
{
public:
    explicit CliProcess(const QStringList &arguments)
    {
        m_process.setProcessEnvironment(cleanEnvironment());
        m_process.start(cliBinary(), arguments);
        m_process.closeWriteChannel();
    }
    ~CliProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    Q_DISABLE_COPY_MOVE(CliProcess)

    // Reads stdout until it holds `lines` complete lines; false at the deadline or exit.
    bool waitForLines(int lines, int timeoutMs = 10000)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (m_out.count('\n') < lines && !deadline.hasExpired()) {
            if (m_process.state() == QProcess::NotRunning && !m_process.bytesAvailable())
                break;
            m_process.waitForReadyRead(50);
            m_out += m_process.readAllStandardOutput();
        }
        return m_out.count('\n') >= lines;
    }
    CliResult finish(int timeoutMs = 10000)
    {
        CliResult result;
        result.finished = m_process.waitForFinished(timeoutMs);
        result.exitCode = result.finished && m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
        result.out = m_out + m_process.readAllStandardOutput();
        result.err = m_process.readAllStandardError();
        return result;
    }
    bool isRunning() const { return m_process.state() == QProcess::Running; }

private:
    QProcess m_process;
    QByteArray m_out;
};

// A file in dir with this content; its path.
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    QFile file(dir.filePath(name));
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return file.fileName();
}

QByteArray mint(const QString &user, const QString &name, const QStringList &groups, const QString &sid)
{
    return Jwt::sign({{u"sub"_s, user}, {u"name"_s, name}, {u"groups"_s, QJsonArray::fromStringList(groups)},
                      {u"sid"_s, sid}, {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 3600}},
                     jwtSecret);
}

SseClient::Headers bearer(const QByteArray &token)
{
    return {{"Authorization", "Bearer " + token}};
}

// A port nothing listens on (bound, read back, released).
quint16 deadPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void push_data();
    void push();
    void pushReadsStdin_data();
    void pushReadsStdin();
    void pushJsonOutput();
    void pause_data();
    void pause();
    void connectionsTable();
    void nodesTable();
    void connectionsFilters_data();
    void connectionsFilters();
    void kick();
    void stats();
    void fault();
    void faultUsageErrors_data();
    void faultUsageErrors();
    void listenPrintsEventsLive();
    void recordThenPlay();
    void scenarioExamplesPass_data();
    void scenarioExamplesPass();
    void scenarioFailureNamesTheStep();
    void scenarioFileErrors_data();
    void scenarioFileErrors();
    void playRefusesBadFiles_data();
    void playRefusesBadFiles();
    void listenReplaysAfterLastEventId();
    void listenWithTokenAndFilter();
    void listenReconnects();
    void listenErrors_data();
    void listenErrors();
    void token_data();
    void token();
    void hashPassword_data();
    void hashPassword();
    void environment_data();
    void environment();
    void wrongAdminToken_data();
    void wrongAdminToken();
    void serverDown_data();
    void serverDown();
    void usageErrors_data();
    void usageErrors();
    void help_data();
    void help();

private:
    QStringList admin(const QStringList &arguments) const;
    QString adminUrl() const { return u"http://127.0.0.1:%1"_s.arg(m_server.adminPort()); }
    QString streamUrl(const QString &path = u"/eventsource"_s) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_server.publicPort()).arg(path);
    }
    int connectionCount() const;
    bool waitForConnections(int count, int timeoutMs = 10000) const;
    QString pushEvent(const QString &name, const QString &data) const;
    // Opens a stream and waits until the server counts it.
    std::unique_ptr<SseClient> openStream(const QByteArray &target = "/eventsource",
                                          const SseClient::Headers &headers = {}) const;

    ServerProcess m_server;
};

QStringList TestCli::admin(const QStringList &arguments) const
{
    return QStringList{u"--admin-url"_s, adminUrl(), u"--admin-token"_s, QString::fromLatin1(ServerProcess::adminToken)}
        + arguments;
}

int TestCli::connectionCount() const
{
    return HttpClient::admin(m_server.adminPort(), "GET", "/api/stats").json().object()[u"connections"].toInt(-1);
}

bool TestCli::waitForConnections(int count, int timeoutMs) const
{
    const QDeadlineTimer deadline(timeoutMs);
    do {
        if (connectionCount() == count)
            return true;
    } while (!deadline.hasExpired());
    return false;
}

QString TestCli::pushEvent(const QString &name, const QString &data) const
{
    QJsonObject body{{u"data"_s, data}};
    if (!name.isEmpty())
        body.insert(u"event"_s, name);
    const HttpResponse response = HttpClient::admin(m_server.adminPort(), "POST", "/api/push",
                                                    QJsonDocument(body).toJson(QJsonDocument::Compact));
    return response.json().object()[u"id"].toString();
}

std::unique_ptr<SseClient> TestCli::openStream(const QByteArray &target, const SseClient::Headers &headers) const
{
    const int before = connectionCount();
    auto client = std::make_unique<SseClient>();
    if (!client->open(m_server.publicPort(), target, headers) || client->status() != 200
        || !waitForConnections(before + 1))
        return nullptr;
    return client;
}

void TestCli::initTestCase()
{
    QVERIFY2(QFileInfo::exists(cliBinary()), qPrintable(cliBinary()));
    QVERIFY2(m_server.start({u"--jwt-secret"_s, QString::fromLatin1(jwtSecret), u"--test-faults"_s}),
             m_server.output().constData());
}

void TestCli::init()
{
    // Each test starts without the streams of the one before.
    QVERIFY(waitForConnections(0));
}

void TestCli::push_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("data");
    QTest::addColumn<int>("delivered");
    QTest::addColumn<bool>("aliceGets");
    QTest::addColumn<bool>("anonymousGets");

    QTest::newRow("plain message") << QStringList{u"hello"_s} << u"message"_s << u"hello"_s << 2 << true << true;
    QTest::newRow("named event") << QStringList{u"--event"_s, u"greet"_s, u"hi there"_s} << u"greet"_s
                                 << u"hi there"_s << 2 << true << true;
    QTest::newRow("multi-line data") << QStringList{u"line one\nline two"_s} << u"message"_s
                                     << u"line one\nline two"_s << 2 << true << true;
    QTest::newRow("json object") << QStringList{u"--json"_s, uR"({"nb": 5, "type": "DVD"})"_s} << u"message"_s
                                 << uR"({"nb":5,"type":"DVD"})"_s << 2 << true << true;
    QTest::newRow("json string stays quoted") << QStringList{u"--json"_s, uR"("quoted")"_s} << u"message"_s
                                              << uR"("quoted")"_s << 2 << true << true;
    QTest::newRow("json number, named") << QStringList{u"--event"_s, u"count"_s, u"--json"_s, u"42"_s}
                                        << u"count"_s << u"42"_s << 2 << true << true;
    QTest::newRow("user by name") << QStringList{u"--user"_s, u"alice"_s, u"for alice"_s} << u"message"_s
                                  << u"for alice"_s << 1 << true << false;
    QTest::newRow("user by id") << QStringList{u"--user"_s, u"u1"_s, u"for u1"_s} << u"message"_s
                                << u"for u1"_s << 1 << true << false;
    QTest::newRow("group") << QStringList{u"--group"_s, u"Marketing"_s, u"--event"_s, u"promo"_s, u"sale"_s}
                           << u"promo"_s << u"sale"_s << 1 << true << false;
    QTest::newRow("session") << QStringList{u"--session"_s, u"s-alice"_s, u"by session"_s} << u"message"_s
                             << u"by session"_s << 1 << true << false;
    QTest::newRow("union of targets") << QStringList{u"--user"_s, u"nobody"_s, u"--group"_s, u"Nope"_s,
                                                     u"--group"_s, u"Marketing"_s, u"union"_s}
                                      << u"message"_s << u"union"_s << 1 << true << false;
    QTest::newRow("target nobody has") << QStringList{u"--user"_s, u"nobody"_s, u"lost"_s} << u"message"_s
                                       << u"lost"_s << 0 << false << false;
}

void TestCli::push()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, type);
    QFETCH(QString, data);
    QFETCH(int, delivered);
    QFETCH(bool, aliceGets);
    QFETCH(bool, anonymousGets);

    const auto anonymous = openStream();
    QVERIFY(anonymous);
    const auto alice = openStream("/eventsource", bearer(mint(u"u1"_s, u"alice"_s, {u"Marketing"_s}, u"s-alice"_s)));
    QVERIFY(alice);

    const CliResult result = runCli(admin(QStringList{u"push"_s} + arguments));
    QVERIFY2(result.exitCode == 0, result.describe());
    QVERIFY2(result.err.isEmpty(), result.describe());
    static const QRegularExpression line(u"^id=(\\S+) delivered=(\\d+)\n$"_s);
    const QRegularExpressionMatch match = line.match(QString::fromUtf8(result.out));
    QVERIFY2(match.hasMatch(), result.describe());
    const QString id = match.captured(1);
    QCOMPARE(match.captured(2).toInt(), delivered);

    // A broadcast marker after it: each stream's first message tells whether it got the push.
    const QString marker = pushEvent({}, u"marker"_s);
    QVERIFY(!marker.isEmpty());
    const SseMessage pushed{type, data, id};
    const SseMessage markerMessage{u"message"_s, u"marker"_s, marker};
    for (const auto &[client, gets] : {std::pair{alice.get(), aliceGets}, std::pair{anonymous.get(), anonymousGets}}) {
        QVERIFY(client->waitForMessages(gets ? 2 : 1));
        QCOMPARE(client->messages().first(), gets ? pushed : markerMessage);
    }
}

void TestCli::pushReadsStdin_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("data");

    QTest::newRow("dash") << QStringList{u"-"_s} << QByteArray("from stdin\n") << u"from stdin"_s;
    QTest::newRow("no DATA argument") << QStringList{} << QByteArray("no argument\n") << u"no argument"_s;
    QTest::newRow("without final newline") << QStringList{u"-"_s} << QByteArray("exact") << u"exact"_s;
    QTest::newRow("CRLF ended") << QStringList{u"-"_s} << QByteArray("windows\r\n") << u"windows"_s;
    QTest::newRow("several lines") << QStringList{} << QByteArray("a\nb\n\n") << u"a\nb\n"_s;
    QTest::newRow("UTF-8") << QStringList{u"-"_s} << QByteArray("caf\xc3\xa9 \xe2\x82\xac\n") << u"café €"_s;
    QTest::newRow("json from stdin") << QStringList{u"--json"_s} << QByteArray("{\"a\": [1, 2]}\n")
                                     << uR"({"a":[1,2]})"_s;
}

void TestCli::pushReadsStdin()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, data);

    const auto stream = openStream();
    QVERIFY(stream);
    const CliResult result = runCli(admin(QStringList{u"push"_s} + arguments), input);
    QVERIFY2(result.exitCode == 0, result.describe());
    QVERIFY2(result.out.startsWith("id=") && result.out.endsWith(" delivered=1\n"), result.describe());
    QVERIFY(stream->waitForMessages(1));
    QCOMPARE(stream->messages().first().data, data);
}

void TestCli::pushJsonOutput()
{
    const auto stream = openStream();
    QVERIFY(stream);
    const CliResult result = runCli(admin({u"push"_s, u"--output"_s, u"json"_s, u"raw"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QJsonObject answer = QJsonDocument::fromJson(result.out).object();
    QVERIFY2(answer[u"id"].isString(), result.describe());
    QCOMPARE(answer[u"delivered"].toInt(), 1);
    QVERIFY(result.out.endsWith("}\n"));
    QVERIFY(stream->waitForMessages(1));
    QCOMPARE(stream->messages().first().lastEventId, answer[u"id"].toString());
}

void TestCli::pause_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QList<int>>("paused"); // 0 anonymous, 1 alice (Marketing), 2 bob (Engineering)

    QTest::newRow("everyone") << QStringList{} << QList<int>{0, 1, 2};
    QTest::newRow("a user") << QStringList{u"--user"_s, u"alice"_s} << QList<int>{1};
    QTest::newRow("a group") << QStringList{u"--group"_s, u"Engineering"_s} << QList<int>{2};
    QTest::newRow("a session") << QStringList{u"--session"_s, u"s-bob"_s} << QList<int>{2};
    QTest::newRow("union") << QStringList{u"--user"_s, u"u1"_s, u"--group"_s, u"Engineering"_s} << QList<int>{1, 2};
    QTest::newRow("except a group") << QStringList{u"--except-group"_s, u"Marketing"_s} << QList<int>{0, 2};
    QTest::newRow("except two groups") << QStringList{u"--except-group"_s, u"Marketing"_s, u"--except-group"_s,
                                                      u"Engineering"_s}
                                       << QList<int>{0};
    QTest::newRow("target minus exception") << QStringList{u"--group"_s, u"Marketing"_s, u"--except-group"_s,
                                                           u"Marketing"_s}
                                            << QList<int>{};
}

void TestCli::pause()
{
    QFETCH(QStringList, arguments);
    QFETCH(QList<int>, paused);

    std::unique_ptr<SseClient> streams[3];
    streams[0] = openStream();
    streams[1] = openStream("/eventsource", bearer(mint(u"u1"_s, u"alice"_s, {u"Marketing"_s}, u"s-alice"_s)));
    streams[2] = openStream("/eventsource", bearer(mint(u"u2"_s, u"bob"_s, {u"Engineering"_s}, u"s-bob"_s)));
    for (const auto &stream : streams)
        QVERIFY(stream);

    const CliResult result = runCli(admin(QStringList{u"pause"_s, u"5000"_s} + arguments));
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.out, u"paused=%1 delay=5000\n"_s.arg(paused.size()).toUtf8());
    for (const int index : paused) {
        QVERIFY2(streams[index]->waitForClosed(), qPrintable(u"stream %1"_s.arg(index)));
        QCOMPARE(streams[index]->parser().retryMs(), 5000);
    }
    QVERIFY(waitForConnections(3 - int(paused.size())));
}

void TestCli::connectionsTable()
{
    const auto anonymous = openStream();
    QVERIFY(anonymous);
    const auto alice = openStream("/eventsource/a,b", bearer(mint(u"u1"_s, u"alice"_s, {u"Marketing"_s, u"QA"_s},
                                                                   u"s-alice"_s)));
    QVERIFY(alice);

    CliResult result = runCli(admin({u"connections"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QStringList lines = result.lines();
    QCOMPARE(lines.size(), 3);
    static const QRegularExpression header(u"^ID  USER +GROUPS +SESSION +REMOTE +FILTER +EVENTS  SINCE$"_s);
    QVERIFY2(header.match(lines[0]).hasMatch(), qPrintable(lines[0]));
    const QString aliceRow = lines[1].contains(u"alice"_s) ? lines[1] : lines[2];
    const QString anonymousRow = lines[1].contains(u"alice"_s) ? lines[2] : lines[1];
    QVERIFY2(aliceRow.contains(u"Marketing,QA"_s) && aliceRow.contains(u"s-alice"_s)
                 && aliceRow.contains(u"127.0.0.1"_s) && aliceRow.contains(u" a,b "_s),
             qPrintable(aliceRow));
    // Columns line up: each cell starts under its heading.
    QCOMPARE(aliceRow.indexOf(u"alice"_s), lines[0].indexOf(u"USER"_s));
    QCOMPARE(aliceRow.indexOf(u"s-alice"_s), lines[0].indexOf(u"SESSION"_s));
    QCOMPARE(aliceRow.indexOf(u"a,b"_s), lines[0].indexOf(u"FILTER"_s));
    static const QRegularExpression anonymousCells(u"^ *\\d+  - +- +\\S+ +\\S*127\\.0\\.0\\.1 +\\* +0  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$"_s);
    QVERIFY2(anonymousCells.match(anonymousRow).hasMatch(), qPrintable(anonymousRow));
    QVERIFY(!result.out.contains(" \n"));

    result = runCli(admin({u"connections"_s, u"--group"_s, u"Nobody"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.lines().size(), 1);
    QVERIFY(header.match(result.lines().first()).hasMatch());
}

// A standalone server is one node; the table has its streams.
void TestCli::nodesTable()
{
    const auto stream = openStream();
    QVERIFY(stream);
    CliResult result = runCli(admin({u"nodes"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QStringList lines = result.lines();
    QCOMPARE(lines.size(), 2);
    static const QRegularExpression header(u"^NODE +STREAMS  HEARTBEAT$"_s);
    QVERIFY2(header.match(lines[0]).hasMatch(), qPrintable(lines[0]));
    static const QRegularExpression row(u"^standalone +1  -$"_s); // no heartbeat: not in a cluster
    QVERIFY2(row.match(lines[1]).hasMatch(), qPrintable(lines[1]));
    result = runCli(admin({u"nodes"_s, u"--json"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(QJsonDocument::fromJson(result.out).object().value(u"nodes"_s).toArray().size(), 1);
}

void TestCli::connectionsFilters_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("users"); // userName of each connection listed, "" for anonymous

    QTest::newRow("all") << QStringList{u"--json"_s} << QStringList{u""_s, u"alice"_s, u"bob"_s};
    QTest::newRow("user by name") << QStringList{u"--json"_s, u"--user"_s, u"alice"_s} << QStringList{u"alice"_s};
    QTest::newRow("user by id") << QStringList{u"--json"_s, u"--user"_s, u"u2"_s} << QStringList{u"bob"_s};
    QTest::newRow("group") << QStringList{u"--json"_s, u"--group"_s, u"Marketing"_s} << QStringList{u"alice"_s};
    QTest::newRow("group with a space") << QStringList{u"--json"_s, u"--group"_s, u"R&D team"_s}
                                        << QStringList{u"bob"_s};
    QTest::newRow("unknown group") << QStringList{u"--json"_s, u"--group"_s, u"Nope"_s} << QStringList{};
    QTest::newRow("--output json") << QStringList{u"--output"_s, u"json"_s, u"--user"_s, u"bob"_s}
                                   << QStringList{u"bob"_s};
}

void TestCli::connectionsFilters()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, users);

    const auto anonymous = openStream();
    const auto alice = openStream("/eventsource", bearer(mint(u"u1"_s, u"alice"_s, {u"Marketing"_s}, u"s-alice"_s)));
    const auto bob = openStream("/eventsource", bearer(mint(u"u2"_s, u"bob"_s, {u"R&D team"_s}, u"s-bob"_s)));
    QVERIFY(anonymous && alice && bob);

    const CliResult result = runCli(admin(QStringList{u"connections"_s} + arguments));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QJsonObject answer = QJsonDocument::fromJson(result.out).object();
    QCOMPARE(answer[u"count"].toInt(-1), users.size());
    QStringList listed;
    for (const QJsonValue &connection : answer[u"connections"].toArray())
        listed.append(connection[u"userName"].toString());
    listed.sort();
    QCOMPARE(listed, users);
}

void TestCli::kick()
{
    const auto stream = openStream();
    QVERIFY(stream);
    const CliResult list = runCli(admin({u"connections"_s, u"--json"_s}));
    const QJsonArray connections = QJsonDocument::fromJson(list.out).object()[u"connections"].toArray();
    QCOMPARE(connections.size(), 1);
    const QString id = connections.first()[u"id"].toString();

    CliResult result = runCli(admin({u"kick"_s, id}));
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.out, u"closed=%1\n"_s.arg(id).toUtf8());
    QVERIFY(stream->waitForClosed());

    result = runCli(admin({u"kick"_s, id}));
    QVERIFY2(result.exitCode == 1, result.describe());
    QVERIFY2(result.oneErrorLine() && result.err.contains("HTTP 404") && result.err.contains("no connection"),
             result.describe());
    QVERIFY(result.out.isEmpty());
}

void TestCli::fault()
{
    const auto stream = openStream();
    QVERIFY(stream);
    const QJsonArray connections = QJsonDocument::fromJson(runCli(admin({u"connections"_s, u"--json"_s})).out)
                                       .object()[u"connections"].toArray();
    QCOMPARE(connections.size(), 1);
    const QString id = connections.first()[u"id"].toString();

    CliResult result = runCli(admin({u"fault"_s, u"cut"_s, u"--connection"_s, id}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QRegularExpressionMatch added = QRegularExpression(u"^id=(fault-\\d+) affected=1\n$"_s).match(QString::fromUtf8(result.out));
    QVERIFY2(added.hasMatch(), result.describe());
    result = runCli(admin({u"fault"_s, u"reject"_s, u"--status"_s, u"503"_s, u"--retry-after"_s, u"2"_s,
                           u"--user"_s, u"alice"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    QVERIFY2(result.out.endsWith(" affected=0\n"), result.describe());

    result = runCli(admin({u"fault"_s, u"list"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QStringList lines = result.lines();
    QCOMPARE(lines.size(), 3);
    QVERIFY2(lines[0].startsWith(u"ID") && lines[0].contains(u"PENDING"), result.describe());
    QVERIFY2(lines[1].startsWith(added.captured(1)) && lines[1].contains(u"cut")
                 && lines[1].contains(u"connection "_s + id) && lines[1].contains(u"stream(s) "_s + id),
             result.describe());
    QVERIFY2(lines[2].contains(u"reject") && lines[2].contains(u"users alice")
                 && lines[2].contains(u"status=503 count=1 retryAfterS=2") && lines[2].contains(u"1 request(s)"),
             result.describe());

    QVERIFY(!pushEvent(u"e"_s, u"cut in half"_s).isEmpty());
    QVERIFY(stream->waitForClosed());
    QVERIFY(stream->messages().isEmpty());

    result = runCli(admin({u"fault"_s, u"list"_s, u"--output"_s, u"json"_s}));
    const QJsonArray left = QJsonDocument::fromJson(result.out).object()[u"faults"].toArray();
    QCOMPARE(left.size(), 1);
    const QString rejectId = left.first()[u"id"].toString();
    result = runCli(admin({u"fault"_s, u"remove"_s, rejectId}));
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.out, u"removed=%1\n"_s.arg(rejectId).toUtf8());
    result = runCli(admin({u"fault"_s, u"remove"_s, rejectId}));
    QVERIFY2(result.exitCode == 1 && result.oneErrorLine() && result.err.contains("HTTP 404"), result.describe());
}

void TestCli::faultUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("unknown type") << QStringList{u"fault"_s, u"explode"_s} << "type must be one of"_ba;
    QTest::newRow("stall without duration") << QStringList{u"fault"_s, u"stall"_s} << "durationMs"_ba;
    QTest::newRow("status on a cut") << QStringList{u"fault"_s, u"cut"_s, u"--status"_s, u"503"_s}
                                     << "unknown field 'status' for a cut fault"_ba;
    QTest::newRow("reject 500") << QStringList{u"fault"_s, u"reject"_s, u"--status"_s, u"500"_s}
                                << "status 204, 401, 429 or 503"_ba;
    QTest::newRow("remove without id") << QStringList{u"fault"_s, u"remove"_s} << "needs the fault id"_ba;
    QTest::newRow("connection and user") << QStringList{u"fault"_s, u"cut"_s, u"--connection"_s, u"1"_s,
                                                        u"--user"_s, u"a"_s} << "either connection or target"_ba;
}

void TestCli::faultUsageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    const CliResult result = runCli(admin(arguments));
    QVERIFY2(result.exitCode == 2 && result.oneErrorLine() && result.err.contains(message), result.describe());
    QVERIFY(result.out.isEmpty());
}

void TestCli::stats()
{
    const auto stream = openStream();
    QVERIFY(stream);

    CliResult result = runCli(admin({u"stats"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QStringList lines = result.lines();
    QVERIFY(lines.size() > 10);
    static const QRegularExpression keyValue(u"^([A-Za-z]+(?:\\.[A-Za-z]+)?):( +)(\\S.*)$"_s);
    QHash<QString, QString> values;
    qsizetype column = -1;
    for (const QString &line : lines) {
        const QRegularExpressionMatch match = keyValue.match(line);
        QVERIFY2(match.hasMatch(), qPrintable(line));
        values.insert(match.captured(1), match.captured(3));
        if (column < 0)
            column = match.capturedStart(3);
        QCOMPARE(match.capturedStart(3), column); // values aligned
    }
    QCOMPARE(values.value(u"connections"_s), u"1"_s);
    QCOMPARE(values.value(u"version"_s), QStringLiteral(ESH_VERSION));
    QVERIFY(values.contains(u"history.size"_s));
    QVERIFY(values.contains(u"history.persistent"_s));

    result = runCli(admin({u"stats"_s, u"--json"_s}));
    QVERIFY2(result.exitCode == 0, result.describe());
    const QJsonObject answer = QJsonDocument::fromJson(result.out).object();
    QCOMPARE(answer[u"connections"].toInt(-1), 1);
    QVERIFY(answer[u"history"].isObject());
}

void TestCli::listenPrintsEventsLive()
{
    CliProcess listen({u"listen"_s, streamUrl(), u"--count"_s, u"2"_s});
    QVERIFY(waitForConnections(1));

    const QString first = pushEvent({}, u"one"_s);
    // Printed as it arrives, not when the process ends.
    QVERIFY(listen.waitForLines(1));
    QVERIFY(listen.isRunning());
    const QString second = pushEvent(u"greet"_s, u"two\nlines"_s);

    const CliResult result = listen.finish();
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.lines(), (QStringList{u"id=%1 event=message data=one"_s.arg(first),
                                          u"id=%1 event=greet data=two\\nlines"_s.arg(second)}));
    QVERIFY2(result.err.isEmpty(), result.describe());
}

void TestCli::recordThenPlay()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"session.ndjson"_s);
    const auto linesIn = [&path] {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : 0;
    };
    CliProcess record({u"record"_s, streamUrl(), u"--out"_s, path, u"--count"_s, u"3"_s});
    QVERIFY(waitForConnections(1));
    // Each event pushed once the one before is in the file, 200 ms later: the recorded gaps
    // are at least that.
    QStringList ids;
    const std::pair<QString, QString> events[] = {{u"news"_s, u"one"_s}, {QString(), u"two\nlines"_s}, {u"news"_s, u"three"_s}};
    for (const auto &[name, data] : events) {
        if (!ids.isEmpty()) {
            QTRY_COMPARE(linesIn(), ids.size());
            QTest::qWait(200);
        }
        ids.append(pushEvent(name, data));
    }
    const CliResult recorded = record.finish();
    QVERIFY2(recorded.exitCode == 0, recorded.describe());
    QCOMPARE(recorded.out, "recorded=3\n"_ba);

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4); // three lines and the end
    QList<qint64> at;
    for (int i = 0; i < 3; ++i) {
        const QJsonObject line = QJsonDocument::fromJson(lines[i]).object();
        QCOMPARE(line[u"id"].toString(), ids[i]);
        QCOMPARE(line[u"event"], events[i].first.isEmpty() ? QJsonValue() : QJsonValue(events[i].first));
        QCOMPARE(line[u"data"].toString(), events[i].second);
        at.append(line[u"at"].toInteger(-1));
    }
    QVERIFY2(at[0] >= 0 && at[1] - at[0] >= 200 && at[2] - at[1] >= 200, qPrintable(u"%1 %2 %3"_s.arg(at[0]).arg(at[1]).arg(at[2])));

    // Played back twice as fast: the same events with new ids, the last no sooner than the
    // recorded span allows.
    const auto listener = openStream();
    QVERIFY(listener);
    QElapsedTimer clock;
    clock.start();
    const CliResult played = runCli(admin({u"play"_s, path, u"--speed"_s, u"2"_s}));
    QVERIFY(listener->waitForMessages(3));
    QVERIFY2(clock.elapsed() >= (at[2] - at[0]) / 2, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(played.exitCode == 0, played.describe());
    const QStringList out = played.lines();
    QCOMPARE(out.size(), 4);
    QCOMPARE(out.last(), u"played=3"_s);
    for (int i = 0; i < 3; ++i) {
        const SseMessage &message = listener->messages()[i];
        QCOMPARE(message.type, events[i].first.isEmpty() ? u"message"_s : events[i].first);
        QCOMPARE(message.data, events[i].second);
        QVERIFY(message.lastEventId != ids[i]);
        QCOMPARE(out[i], u"id=%1 delivered=1"_s.arg(message.lastEventId));
    }
}

void TestCli::scenarioExamplesPass_data()
{
    QTest::addColumn<QString>("file");
    const QDir dir(QStringLiteral(ESH_SCENARIOS_DIR));
    const QStringList files = dir.entryList({u"*.ndjson"_s}, QDir::Files, QDir::Name);
    QVERIFY(files.size() >= 3);
    for (const QString &file : files)
        QTest::newRow(qPrintable(file)) << dir.filePath(file);
}

void TestCli::scenarioExamplesPass()
{
    QFETCH(QString, file);
    const CliResult result = runCli(admin({u"scenario"_s, file, u"--stream-url"_s, streamUrl()}), {}, cleanEnvironment(), 60000);
    QVERIFY2(result.exitCode == 0, result.describe());
    const QStringList lines = result.lines();
    QVERIFY(lines.size() >= 4);
    for (qsizetype i = 0; i + 1 < lines.size(); ++i)
        QVERIFY2(lines[i].startsWith(u"PASS"), qPrintable(lines[i]));
    QVERIFY2(lines.last().startsWith(u"scenario passed: "), result.describe());
}

void TestCli::scenarioFailureNamesTheStep()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, u"fails.ndjson"_s,
        "# a scenario whose third step cannot hold\n"
        "{\"step\": \"open\", \"client\": \"a\"}\n"
        "{\"step\": \"publish\", \"event\": \"e\", \"data\": \"actual\"}\n"
        "{\"step\": \"expect\", \"client\": \"a\", \"what\": \"events\", \"events\": [{\"event\": \"e\", \"data\": \"expected\"}]}\n"
        "{\"step\": \"wait\", \"ms\": 1}\n");
    // The hub it announces in its hello: no --stream-url.
    const CliResult result = runCli(admin({u"scenario"_s, path}));
    QVERIFY2(result.exitCode == 1 && result.oneErrorLine(), result.describe());
    const QStringList lines = result.lines();
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[0].startsWith(u"PASS   1 open a (line 2)"), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(u"PASS   2 publish e (line 3)"), qPrintable(lines[1]));
    QVERIFY2(lines[2].startsWith(u"FAIL   3 expect events a (line 4): a: event 1: expected e 'expected'")
                 && lines[2].contains(u"got e 'actual'"), qPrintable(lines[2]));
    QCOMPARE(lines[3], u"SKIP   4 wait (line 5)"_s);
}

void TestCli::scenarioFileErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("unknown step") << "{\"step\": \"jump\"}\n"_ba << "line 1: step must be one of"_ba;
    QTest::newRow("open without client") << "\n{\"step\": \"open\"}\n"_ba << "line 2: open needs client"_ba;
    QTest::newRow("unknown field") << "{\"step\": \"wait\", \"ms\": 5, \"sec\": 1}\n"_ba << "unknown field 'sec' for wait"_ba;
    QTest::newRow("bad expectation") << "{\"step\": \"expect\", \"client\": \"a\", \"what\": \"magic\"}\n"_ba << "expect needs what"_ba;
    QTest::newRow("empty") << "# nothing\n"_ba << "no steps"_ba;
}

void TestCli::scenarioFileErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, message);
    QTemporaryDir dir;
    const CliResult result = runCli(admin({u"scenario"_s, writeFile(dir, u"bad.ndjson"_s, content)}));
    QVERIFY2(result.exitCode == 2 && result.oneErrorLine() && result.err.contains(message), result.describe());
}

void TestCli::playRefusesBadFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("not JSON") << "{\"at\": 0, \"data\": \"a\"}\nnot json\n"_ba << "line 2"_ba;
    QTest::newRow("no at") << "{\"data\": \"a\"}\n"_ba << "\"at\""_ba;
    QTest::newRow("back in time") << "{\"at\": 5, \"data\": \"a\"}\n{\"at\": 4, \"data\": \"b\"}\n"_ba << "back in time"_ba;
    QTest::newRow("data not a string") << "{\"at\": 0, \"data\": 5}\n"_ba << "\"data\""_ba;
}

void TestCli::playRefusesBadFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, message);
    QTemporaryDir dir;
    const QString path = writeFile(dir, u"bad.ndjson"_s, content);
    const qint64 before = HttpClient::admin(m_server.adminPort(), "GET", "/api/stats").json()[u"eventsPublished"].toInteger();
    const CliResult result = runCli(admin({u"play"_s, path}));
    QVERIFY2(result.exitCode == 2 && result.oneErrorLine() && result.err.contains(message), result.describe());
    QCOMPARE(HttpClient::admin(m_server.adminPort(), "GET", "/api/stats").json()[u"eventsPublished"].toInteger(), before);
    const CliResult missing = runCli(admin({u"play"_s, dir.filePath(u"none.ndjson"_s)}));
    QVERIFY2(missing.exitCode == 1 && missing.err.contains("cannot read"), missing.describe());
}

void TestCli::listenReplaysAfterLastEventId()
{
    const QString first = pushEvent(u"replay"_s, u"r1"_s);
    const QString second = pushEvent(u"replay"_s, u"r2"_s);
    const QString third = pushEvent({}, u"r3"_s);
    QVERIFY(!first.isEmpty() && !second.isEmpty() && !third.isEmpty());

    const CliResult result = runCli({u"listen"_s, streamUrl(), u"--last-event-id"_s, first, u"--count"_s, u"2"_s});
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.lines(), (QStringList{u"id=%1 event=replay data=r2"_s.arg(second),
                                          u"id=%1 event=message data=r3"_s.arg(third)}));
}

void TestCli::listenWithTokenAndFilter()
{
    const CliResult minted = runCli({u"token"_s, u"--secret"_s, QString::fromLatin1(jwtSecret), u"--user"_s, u"u9"_s,
                                     u"--name"_s, u"carol"_s, u"--group"_s, u"QA"_s});
    QVERIFY2(minted.exitCode == 0, minted.describe());

    CliProcess listen({u"listen"_s, streamUrl(u"/eventsource/news"_s), u"--token"_s,
                       QString::fromLatin1(minted.out.trimmed()), u"--count"_s, u"1"_s, u"--output"_s, u"json"_s});
    QVERIFY(waitForConnections(1));
    // The stream belongs to carol, and asked for "news" only.
    const CliResult mine = runCli(admin({u"connections"_s, u"--json"_s, u"--group"_s, u"QA"_s}));
    QCOMPARE(QJsonDocument::fromJson(mine.out).object()[u"count"].toInt(), 1);

    const CliResult unnamed = runCli(admin({u"push"_s, u"--user"_s, u"carol"_s, u"not news"_s}));
    QVERIFY2(unnamed.out.endsWith(" delivered=0\n"), unnamed.describe());
    const CliResult pushed = runCli(admin({u"push"_s, u"--user"_s, u"carol"_s, u"--event"_s, u"news"_s, u"extra!"_s}));
    QVERIFY2(pushed.out.endsWith(" delivered=1\n"), pushed.describe());
    const QString id = pushed.out.mid(3, pushed.out.indexOf(' ') - 3);

    const CliResult result = listen.finish();
    QVERIFY2(result.exitCode == 0, result.describe());
    const QJsonObject line = QJsonDocument::fromJson(result.out).object();
    QCOMPARE(line, (QJsonObject{{u"id"_s, id}, {u"event"_s, u"news"_s}, {u"data"_s, u"extra!"_s}}));
}

void TestCli::listenReconnects()
{
    const int opened = HttpClient::admin(m_server.adminPort(), "GET", "/api/stats").json().object()[u"connectionsOpened"].toInt();
    CliProcess listen({u"listen"_s, streamUrl(), u"--reconnect"_s, u"--count"_s, u"2"_s});
    QVERIFY(waitForConnections(1));
    const QString first = pushEvent({}, u"before"_s);
    QVERIFY(listen.waitForLines(1));

    // Sent away for a second; what is published meanwhile comes back through Last-Event-ID.
    const CliResult paused = runCli(admin({u"pause"_s, u"1000"_s}));
    QCOMPARE(paused.out, QByteArray("paused=1 delay=1000\n"));
    const CliResult pushed = runCli(admin({u"push"_s, u"while away"_s}));
    QVERIFY2(pushed.out.endsWith(" delivered=0\n"), pushed.describe());
    const QString second = QString::fromUtf8(pushed.out.mid(3, pushed.out.indexOf(' ') - 3));

    const CliResult result = listen.finish();
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.lines(), (QStringList{u"id=%1 event=message data=before"_s.arg(first),
                                          u"id=%1 event=message data=while away"_s.arg(second)}));
    QVERIFY2(result.err.contains("reconnecting in 1000 ms"), result.describe());
    const int openedNow = HttpClient::admin(m_server.adminPort(), "GET", "/api/stats").json().object()[u"connectionsOpened"].toInt();
    QCOMPARE(openedNow - opened, 2);
}

void TestCli::listenErrors_data()
{
    QTest::addColumn<QStringList>("arguments"); // {public} and {dead} stand for ports
    QTest::addColumn<bool>("kick");             // the stream is kicked once open
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("404") << QStringList{u"http://127.0.0.1:{public}/nowhere"_s} << false
                         << QByteArray("HTTP 404: not found");
    QTest::newRow("invalid token") << QStringList{u"http://127.0.0.1:{public}/eventsource"_s, u"--token"_s,
                                                  u"not.a.token"_s}
                                   << false << QByteArray("HTTP 401: ");
    QTest::newRow("token signed with another secret")
        << QStringList{u"http://127.0.0.1:{public}/eventsource"_s, u"--token"_s,
                       QString::fromLatin1(Jwt::sign({{u"sub"_s, u"x"_s}}, "another-secret-another-secret-12"))}
        << false << QByteArray("HTTP 401: ");
    QTest::newRow("server down") << QStringList{u"http://127.0.0.1:{dead}/eventsource"_s} << false
                                 << QByteArray("Connection refused");
    QTest::newRow("stream closed before --count")
        << QStringList{u"http://127.0.0.1:{public}/eventsource"_s, u"--count"_s, u"5"_s} << true
        << QByteArray("the server closed the stream after 0 event(s)");
}

void TestCli::listenErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, kick);
    QFETCH(QByteArray, message);

    for (QString &argument : arguments)
        argument.replace(u"{public}"_s, QString::number(m_server.publicPort()))
            .replace(u"{dead}"_s, QString::number(deadPort()));
    CliProcess listen(QStringList{u"listen"_s} + arguments);
    if (kick) {
        QVERIFY(waitForConnections(1));
        const CliResult list = runCli(admin({u"connections"_s, u"--json"_s}));
        const QString id = QJsonDocument::fromJson(list.out).object()[u"connections"][0][u"id"].toString();
        QCOMPARE(runCli(admin({u"kick"_s, id})).exitCode, 0);
    }
    const CliResult result = listen.finish();
    QVERIFY2(result.exitCode == 1, result.describe());
    QVERIFY2(result.oneErrorLine() && result.err.contains(message), result.describe());
    QVERIFY2(!result.err.contains("not.a.token"), result.describe());
    QVERIFY(result.out.isEmpty());
}

void TestCli::token_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("secretFromEnvironment");
    QTest::addColumn<QJsonObject>("claims"); // expected, besides iat and exp
    QTest::addColumn<int>("ttl");            // 0: no exp

    QTest::newRow("user only") << QStringList{u"--user"_s, u"u1"_s} << false << QJsonObject{{u"sub"_s, u"u1"_s}} << 3600;
    QTest::newRow("every claim")
        << QStringList{u"--user"_s, u"u2"_s, u"--name"_s, u"Bob B."_s, u"--group"_s, u"Marketing"_s,
                       u"--group"_s, u"QA"_s, u"--sid"_s, u"s-9"_s, u"--ttl"_s, u"60"_s}
        << false
        << QJsonObject{{u"sub"_s, u"u2"_s}, {u"name"_s, u"Bob B."_s},
                       {u"groups"_s, QJsonArray{u"Marketing"_s, u"QA"_s}}, {u"sid"_s, u"s-9"_s}}
        << 60;
    QTest::newRow("no expiry") << QStringList{u"--user"_s, u"u3"_s, u"--ttl"_s, u"0"_s} << false
                               << QJsonObject{{u"sub"_s, u"u3"_s}} << 0;
    QTest::newRow("secret from the environment") << QStringList{u"--user"_s, u"u4"_s} << true
                                                 << QJsonObject{{u"sub"_s, u"u4"_s}} << 3600;
}

void TestCli::token()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, secretFromEnvironment);
    QFETCH(QJsonObject, claims);
    QFETCH(int, ttl);

    QProcessEnvironment environment = cleanEnvironment();
    if (secretFromEnvironment)
        environment.insert(u"EVENTSOURCE_JWT_SECRET"_s, QString::fromLatin1(jwtSecret));
    else
        arguments += {u"--secret"_s, QString::fromLatin1(jwtSecret)};
    const qint64 before = QDateTime::currentSecsSinceEpoch();
    const CliResult result = runCli(QStringList{u"token"_s} + arguments, {}, environment);
    const qint64 after = QDateTime::currentSecsSinceEpoch();
    QVERIFY2(result.exitCode == 0, result.describe());
    QCOMPARE(result.out.count('\n'), 1);
    const QByteArray token = result.out.trimmed();

    const Jwt::Verified verified = Jwt::verify(token, jwtSecret, after);
    QVERIFY2(verified.claims, qPrintable(verified.error));
    QJsonObject got = *verified.claims;
    const qint64 iat = got.take(u"iat"_s).toInteger(-1);
    QVERIFY(iat >= before && iat <= after);
    const QJsonValue exp = got.take(u"exp"_s);
    if (ttl == 0)
        QVERIFY(exp.isUndefined());
    else
        QCOMPARE(exp.toInteger(), iat + ttl);
    QCOMPARE(got, claims);
    QVERIFY(!Jwt::verify(token, "some-other-secret", after).claims);
    // The server takes it.
    SseClient stream;
    QVERIFY(stream.open(m_server.publicPort(), "/eventsource", bearer(token)));
    QCOMPARE(stream.status(), 200);
}

void TestCli::hashPassword_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("iterations");

    QTest::newRow("default iterations") << QStringList{} << QByteArray("s3cret\n") << u"s3cret"_s
                                        << PasswordHash::defaultIterations;
    QTest::newRow("--iterations") << QStringList{u"--iterations"_s, u"1000"_s} << QByteArray("pass word\n")
                                  << u"pass word"_s << 1000;
    QTest::newRow("CRLF line, no final newline")
        << QStringList{u"--iterations"_s, u"2000"_s} << QByteArray("crlf\r\n") << u"crlf"_s << 2000;
    QTest::newRow("only the first line") << QStringList{u"--iterations"_s, u"1000"_s} << QByteArray("first\nsecond\n")
                                         << u"first"_s << 1000;
    QTest::newRow("UTF-8") << QStringList{u"--iterations"_s, u"1000"_s} << QByteArray("m\xc3\xbcnchen")
                           << u"münchen"_s << 1000;
}

void TestCli::hashPassword()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, password);
    QFETCH(int, iterations);

    const CliResult result = runCli(QStringList{u"hash-password"_s} + arguments, input);
    QVERIFY2(result.exitCode == 0, result.describe());
    const QString hash = QString::fromUtf8(result.out.trimmed());
    QCOMPARE(result.out.count('\n'), 1);
    QVERIFY2(hash.startsWith(u"pbkdf2-sha256$%1$"_s.arg(iterations)), qPrintable(hash));
    QVERIFY(PasswordHash::verify(password, hash));
    QVERIFY(!PasswordHash::verify(password + u'x', hash));
}

void TestCli::environment_data()
{
    QTest::addColumn<QString>("url");   // EVENTSOURCE_ADMIN_URL; {admin}/{dead} stand for ports
    QTest::addColumn<QString>("token"); // EVENTSOURCE_ADMIN_TOKEN
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<int>("exitCode");

    const QString good = QString::fromLatin1(ServerProcess::adminToken);
    QTest::newRow("environment only") << u"http://127.0.0.1:{admin}"_s << good << QStringList{} << 0;
    QTest::newRow("trailing slash") << u"http://127.0.0.1:{admin}/"_s << good << QStringList{} << 0;
    QTest::newRow("--admin-token wins") << u"http://127.0.0.1:{admin}"_s << wrongToken
                                        << QStringList{u"--admin-token"_s, good} << 0;
    QTest::newRow("--admin-url wins") << u"http://127.0.0.1:{dead}"_s << good
                                      << QStringList{u"--admin-url"_s, u"http://127.0.0.1:{admin}"_s} << 0;
    QTest::newRow("wrong token in the environment") << u"http://127.0.0.1:{admin}"_s << wrongToken << QStringList{} << 1;
    QTest::newRow("dead URL in the environment") << u"http://127.0.0.1:{dead}"_s << good << QStringList{} << 1;
}

void TestCli::environment()
{
    QFETCH(QString, url);
    QFETCH(QString, token);
    QFETCH(QStringList, flags);
    QFETCH(int, exitCode);

    const QString dead = QString::number(deadPort());
    const QString adminPort = QString::number(m_server.adminPort());
    QProcessEnvironment environment = cleanEnvironment();
    environment.insert(u"EVENTSOURCE_ADMIN_URL"_s, url.replace(u"{admin}"_s, adminPort).replace(u"{dead}"_s, dead));
    environment.insert(u"EVENTSOURCE_ADMIN_TOKEN"_s, token);
    for (QString &flag : flags)
        flag.replace(u"{admin}"_s, adminPort);

    const CliResult result = runCli(QStringList{u"stats"_s} + flags, {}, environment);
    QVERIFY2(result.exitCode == exitCode, result.describe());
    if (exitCode == 0) {
        QVERIFY2(result.out.contains("\nconnections: "), result.describe());
    } else {
        QVERIFY2(result.oneErrorLine() && result.out.isEmpty(), result.describe());
        QVERIFY2(!result.err.contains(wrongToken.toUtf8()), result.describe());
    }
}

void TestCli::wrongAdminToken_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("push") << QStringList{u"push"_s, u"x"_s};
    QTest::newRow("push --output json") << QStringList{u"push"_s, u"--output"_s, u"json"_s, u"x"_s};
    QTest::newRow("pause") << QStringList{u"pause"_s, u"100"_s};
    QTest::newRow("connections") << QStringList{u"connections"_s};
    QTest::newRow("connections --json") << QStringList{u"connections"_s, u"--json"_s};
    QTest::newRow("kick") << QStringList{u"kick"_s, u"1"_s};
    QTest::newRow("stats") << QStringList{u"stats"_s};
}

void TestCli::wrongAdminToken()
{
    QFETCH(QStringList, arguments);

    const CliResult result = runCli(QStringList{u"--admin-url"_s, adminUrl(), u"--admin-token"_s, wrongToken} + arguments);
    QVERIFY2(result.exitCode == 1, result.describe());
    QVERIFY2(result.oneErrorLine(), result.describe());
    QVERIFY2(result.err.contains("HTTP 401: missing or wrong admin token"), result.describe());
    QVERIFY2(!result.err.contains(wrongToken.toUtf8()), result.describe());
    QVERIFY(result.out.isEmpty());
}

void TestCli::serverDown_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("push") << QStringList{u"push"_s, u"x"_s};
    QTest::newRow("pause") << QStringList{u"pause"_s, u"100"_s};
    QTest::newRow("connections") << QStringList{u"connections"_s};
    QTest::newRow("kick") << QStringList{u"kick"_s, u"1"_s};
    QTest::newRow("stats") << QStringList{u"stats"_s, u"--json"_s};
}

void TestCli::serverDown()
{
    QFETCH(QStringList, arguments);

    const QString url = u"http://127.0.0.1:%1"_s.arg(deadPort());
    const CliResult result = runCli(QStringList{u"--admin-url"_s, url, u"--admin-token"_s, secretCanary} + arguments);
    QVERIFY2(result.exitCode == 1, result.describe());
    QVERIFY2(result.oneErrorLine(), result.describe());
    QVERIFY2(result.err.contains("cannot reach the server at " + url.toUtf8() + ": Connection refused"),
             result.describe());
    QVERIFY2(!result.err.contains(secretCanary.toUtf8()), result.describe());
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("message");

    const QString secret = u"--secret="_s + secretCanary;
    const auto row = [](const char *name, const QStringList &arguments, const char *message,
                        const QByteArray &input = {}) {
        QTest::newRow(name) << arguments << input << QByteArray(message);
    };
    row("no command", {}, "no command given");
    row("unknown command", {u"frobnicate"_s}, "unknown command 'frobnicate'");
    row("unknown option", {u"stats"_s, u"--bogus"_s}, "unknown option '--bogus' for stats");
    row("unknown short option", {u"stats"_s, u"-x"_s}, "unknown option '-x' for stats");
    row("another command's option", {u"stats"_s, u"--event"_s, u"x"_s}, "unknown option '--event' for stats");
    row("command option before the command", {u"--event"_s, u"x"_s, u"push"_s, u"d"_s},
        "command options go after the command");
    row("missing option value", {u"push"_s, u"d"_s, u"--event"_s}, "--event needs a value (NAME)");
    row("empty option value", {u"push"_s, u"--event="_s, u"d"_s}, "--event must not be empty");
    row("flag given a value", {u"push"_s, u"--json=yes"_s, u"1"_s}, "--json takes no value");
    row("pause without DELAY_MS", {u"pause"_s}, "pause needs DELAY_MS");
    row("DELAY_MS not a number", {u"pause"_s, u"soon"_s}, "DELAY_MS must be a whole number");
    row("negative DELAY_MS", {u"pause"_s, u"--"_s, u"-5"_s}, "DELAY_MS must be a whole number");
    row("kick without ID", {u"kick"_s}, "kick needs ID");
    row("push with two DATA", {u"push"_s, u"a"_s, u"b"_s}, "unexpected argument 'b' for push");
    row("connections with an argument", {u"connections"_s, u"all"_s}, "unexpected argument 'all' for connections");
    row("push --json not JSON", {u"push"_s, u"--json"_s, u"{oops"_s}, "--json data is not valid JSON");
    row("push --json two values", {u"push"_s, u"--json"_s, u"1,2"_s}, "expected one JSON value");
    row("push --json empty stdin", {u"push"_s, u"--json"_s}, "--json data is not valid JSON", "\n");
    row("bad --output", {u"stats"_s, u"--output"_s, u"xml"_s}, "--output must be text or json");
    row("bad admin URL", {u"stats"_s, u"--admin-url"_s, u"not a url"_s}, "the admin URL must be");
    row("admin URL not http", {u"stats"_s, u"--admin-url"_s, u"ftp://127.0.0.1:8081"_s}, "the admin URL must be");
    row("listen without URL", {u"listen"_s}, "listen needs URL");
    row("listen to ftp", {u"listen"_s, u"ftp://127.0.0.1/x"_s}, "URL must be an http:// or https:// URL");
    row("--count zero", {u"listen"_s, u"http://127.0.0.1:1/"_s, u"--count"_s, u"0"_s},
        "--count must be a whole number from 1 to");
    row("--count not a number", {u"listen"_s, u"http://127.0.0.1:1/"_s, u"--count=many"_s},
        "--count must be a whole number");
    row("token without --user", {u"token"_s, secret}, "token needs --user ID");
    row("token without a secret", {u"token"_s, u"--user"_s, u"u1"_s}, "token needs a secret");
    row("negative --ttl", {u"token"_s, secret, u"--user"_s, u"u1"_s, u"--ttl"_s, u"-1"_s}, "--ttl must be a whole number");
    row("--iterations too low", {u"hash-password"_s, u"--iterations"_s, u"10"_s},
        "--iterations must be a whole number from 1000 to 10000000");
    row("hash-password without input", {u"hash-password"_s}, "reads a non-empty password line on stdin");
    row("help for an unknown command", {u"help"_s, u"nosuch"_s}, "unknown command 'nosuch'");
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, message);

    // A token, so that admin commands get as far as their own checks; never a server.
    const CliResult result = runCli(QStringList{u"--admin-token"_s, secretCanary} + arguments, input);
    QVERIFY2(result.exitCode == 2, result.describe());
    QVERIFY2(result.oneErrorLine() && result.err.contains(message), result.describe());
    QVERIFY2(!result.err.contains(secretCanary.toUtf8()), result.describe());
    QVERIFY(result.out.isEmpty());
}

void TestCli::help_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("mentions");

    const QStringList everyCommand{u"push"_s, u"pause"_s, u"connections"_s, u"kick"_s, u"stats"_s, u"listen"_s,
                                   u"token"_s, u"hash-password"_s, u"--admin-url"_s, u"--admin-token"_s,
                                   u"EVENTSOURCE_ADMIN_URL"_s, u"EVENTSOURCE_ADMIN_TOKEN"_s, u"Exit status"_s};
    const QStringList push{u"Usage: eventsource-cli push [DATA|-]"_s, u"--event NAME"_s, u"--json"_s,
                           u"--session ID"_s, u"--user ID"_s, u"--group ID"_s, u"--output FORMAT"_s, u"stdin"_s};
    QTest::newRow("--help") << QStringList{u"--help"_s} << everyCommand;
    QTest::newRow("-h") << QStringList{u"-h"_s} << everyCommand;
    QTest::newRow("help") << QStringList{u"help"_s} << everyCommand;
    QTest::newRow("help push") << QStringList{u"help"_s, u"push"_s} << push;
    QTest::newRow("push --help") << QStringList{u"push"_s, u"--help"_s} << push;
    QTest::newRow("--help despite a bad option") << QStringList{u"push"_s, u"--bogus"_s, u"--help"_s} << push;
    QTest::newRow("pause") << QStringList{u"help"_s, u"pause"_s}
                           << QStringList{u"DELAY_MS"_s, u"--except-group ID"_s, u"--group ID"_s};
    QTest::newRow("connections") << QStringList{u"connections"_s, u"-h"_s}
                                 << QStringList{u"--user ID"_s, u"--group ID"_s, u"--json"_s, u"SINCE"_s};
    QTest::newRow("kick") << QStringList{u"help"_s, u"kick"_s} << QStringList{u"kick ID"_s, u"closed=<id>"_s};
    QTest::newRow("stats") << QStringList{u"help"_s, u"stats"_s} << QStringList{u"--json"_s, u"key: value"_s};
    QTest::newRow("listen") << QStringList{u"listen"_s, u"--help"_s}
                            << QStringList{u"--last-event-id ID"_s, u"--token JWT"_s, u"--count N"_s,
                                           u"--reconnect"_s, u"Last-Event-ID"_s};
    QTest::newRow("token") << QStringList{u"help"_s, u"token"_s}
                           << QStringList{u"--secret SECRET"_s, u"EVENTSOURCE_JWT_SECRET"_s, u"--user ID"_s,
                                          u"--name NAME"_s, u"--group NAME"_s, u"--sid ID"_s, u"--ttl SECONDS"_s};
    QTest::newRow("hash-password") << QStringList{u"hash-password"_s, u"--help"_s}
                                   << QStringList{u"--iterations N"_s, u"stdin"_s};
    QTest::newRow("--version") << QStringList{u"--version"_s} << QStringList{u"eventsource-cli " ESH_VERSION ""_s};
}

void TestCli::help()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, mentions);

    const CliResult result = runCli(arguments);
    QVERIFY2(result.exitCode == 0, result.describe());
    QVERIFY2(result.err.isEmpty(), result.describe());
    for (const QString &mention : mentions)
        QVERIFY2(result.out.contains(mention.toUtf8()), qPrintable(mention));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
