#include "configloader.h"

#include <memory>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString program = QStringLiteral("eventsource-server");

// Every option the server documents, by its flag name.
const QStringList optionNames{
    QStringLiteral("listen"),         QStringLiteral("admin-listen"),  QStringLiteral("admin-token"),
    QStringLiteral("data-dir"),       QStringLiteral("path"),          QStringLiteral("allow-origin"),
    QStringLiteral("heartbeat-ms"),   QStringLiteral("retry-ms"),      QStringLiteral("history-size"),
    QStringLiteral("max-connections"), QStringLiteral("max-buffer-kb"), QStringLiteral("max-event-kb"),
    QStringLiteral("max-header-kb"),  QStringLiteral("request-timeout-ms"),
    QStringLiteral("initial-padding"), QStringLiteral("send-threads"),
};

QString envName(const QString &option)
{
    return QStringLiteral("EVENTSOURCE_") + option.toUpper().replace(u'-', u'_');
}

QString addressText(const QHostAddress &address, quint16 port)
{
    return address.toString() + u'|' + QString::number(port);
}

// The numeric options of a config, by flag name.
QList<std::pair<QString, int>> numbersOf(const ServerConfig &config)
{
    return {
        {QStringLiteral("heartbeat-ms"), config.heartbeatMs},
        {QStringLiteral("retry-ms"), config.retryMs},
        {QStringLiteral("history-size"), config.historySize},
        {QStringLiteral("max-connections"), config.maxConnections},
        {QStringLiteral("max-buffer-kb"), config.maxBufferKb},
        {QStringLiteral("max-event-kb"), config.maxEventKb},
        {QStringLiteral("max-header-kb"), config.maxHeaderKb},
        {QStringLiteral("request-timeout-ms"), config.requestTimeoutMs},
        {QStringLiteral("initial-padding"), config.initialPadding},
        {QStringLiteral("h2-max-streams"), config.h2MaxStreams},
    };
}

// One option's value in a parsed config, as text, so one table column can hold any option.
QString valueOf(const ServerConfig &config, const QString &option)
{
    if (option == QLatin1String("listen"))
        return addressText(config.listenAddress, config.listenPort);
    if (option == QLatin1String("admin-listen"))
        return addressText(config.adminAddress, config.adminPort);
    if (option == QLatin1String("admin-token"))
        return config.adminToken;
    if (option == QLatin1String("data-dir"))
        return config.dataDir;
    if (option == QLatin1String("path"))
        return config.path;
    if (option == QLatin1String("allow-origin"))
        return config.allowOrigins.join(u'|');
    if (option == QLatin1String("send-threads"))
        return QString::number(config.sendThreads);
    for (const auto &[name, value] : numbersOf(config)) {
        if (name == option)
            return QString::number(value);
    }
    qFatal("test table names an unknown option: %s", qPrintable(option));
}

QProcessEnvironment environment(const QStringList &assignments)
{
    QProcessEnvironment env;
    for (const QString &assignment : assignments)
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    return env;
}

// Loads the program with these arguments and environment; checks that it loads and that the
// option has the expected value.
void verifyLoads(const QStringList &arguments, const QProcessEnvironment &env, const QString &option,
                 const QString &expected)
{
    const ConfigLoader::Result result = ConfigLoader::load(QStringList{program} + arguments, env);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(valueOf(*result.config, option), expected);
}

} // namespace

class tst_ConfigLoader final : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void defaults();
    void defaultsAreDocumented();
    void fromFlag_data();
    void fromFlag();
    void fromEnvironment_data() { fromFlag_data(); }
    void fromEnvironment();
    void fromFile_data() { fromFlag_data(); }
    void fromFile();
    void flagSyntax_data();
    void flagSyntax();
    void fileJsonTypes_data();
    void fileJsonTypes();
    void precedence_data();
    void precedence();
    void configFileLocation_data();
    void configFileLocation();
    void allowOrigin_data();
    void allowOrigin();
    void errors_data();
    void errors();
    void help_data();
    void help();
    void helpListsEveryOption_data();
    void helpListsEveryOption();
    void version();

private:
    // Writes a config file into the test's temporary dir and returns its path.
    QString writeFile(const QByteArray &json, const QString &name = QStringLiteral("config.json"));

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_ConfigLoader::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString tst_ConfigLoader::writeFile(const QByteArray &json, const QString &name)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(json) != json.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void tst_ConfigLoader::defaults()
{
    const ConfigLoader::Result result = ConfigLoader::load({program}, QProcessEnvironment());
    QVERIFY2(result.config, qPrintable(result.error));
    QVERIFY(result.error.isEmpty());
    QVERIFY(result.helpText.isEmpty());
    QVERIFY(!result.versionRequested);

    const ServerConfig &config = *result.config;
    QCOMPARE(config.listenAddress, QHostAddress(QHostAddress::Any));
    QCOMPARE(config.listenPort, quint16(8080));
    QCOMPARE(config.adminAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(config.adminPort, quint16(8081));
    QVERIFY(config.adminToken.isEmpty());
    QVERIFY(config.dataDir.isEmpty());
    QCOMPARE(config.path, QStringLiteral("/eventsource"));
    QVERIFY(config.allowOrigins.isEmpty());
    QCOMPARE(config.heartbeatMs, 15000);
    QCOMPARE(config.retryMs, 3000);
    QCOMPARE(config.historySize, 1000);
    QCOMPARE(config.maxConnections, 10000);
    QCOMPARE(config.maxBufferKb, 512);
    QCOMPARE(config.maxEventKb, 64);
    QCOMPARE(config.maxHeaderKb, 16);
    QCOMPARE(config.requestTimeoutMs, 10000);
    QCOMPARE(config.initialPadding, 0);
    QCOMPARE(config.sendThreads, -1); // chosen from the cores at start
}

// The defaults --help promises are the ones the loader applies.
void tst_ConfigLoader::defaultsAreDocumented()
{
    const QString help = ConfigLoader::helpText();
    const ServerConfig config;
    const auto documents = [&help](const QString &option, const QString &text) {
        const qsizetype at = help.indexOf(QStringLiteral("--") + option + u' ');
        return at >= 0 && help.indexOf(u'\n', at) > help.indexOf(text, at) && help.indexOf(text, at) > at;
    };
    QVERIFY(documents(QStringLiteral("listen"), QStringLiteral("Default 0.0.0.0:%1.").arg(config.listenPort)));
    QVERIFY(documents(QStringLiteral("admin-listen"),
                      QStringLiteral("Default %1:%2.").arg(config.adminAddress.toString()).arg(config.adminPort)));
    QVERIFY(documents(QStringLiteral("path"), QStringLiteral("Default %1.").arg(config.path)));
    for (const auto &[option, value] : numbersOf(config))
        QVERIFY2(documents(option, QStringLiteral("Default %1.").arg(value)), qPrintable(option));
}

void tst_ConfigLoader::fromFlag_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected"); // valueOf() of the loaded config

    const QString any = QHostAddress(QHostAddress::Any).toString();
    QTest::addRow("listen IPv4") << "listen" << "127.0.0.1:9000" << "127.0.0.1|9000";
    QTest::addRow("listen bracketed IPv6") << "listen" << "[::1]:9001" << "::1|9001";
    QTest::addRow("listen localhost") << "listen" << "localhost:9002" << "127.0.0.1|9002";
    QTest::addRow("listen star") << "listen" << "*:9003" << any + "|9003";
    QTest::addRow("listen port 0") << "listen" << "0.0.0.0:0" << "0.0.0.0|0";
    QTest::addRow("listen port 65535") << "listen" << "10.1.2.3:65535" << "10.1.2.3|65535";
    QTest::addRow("admin-listen") << "admin-listen" << "0.0.0.0:7000" << "0.0.0.0|7000";
    QTest::addRow("admin-listen IPv6") << "admin-listen" << "[::]:7001" << "::|7001";
    QTest::addRow("admin-token") << "admin-token" << "s3cr3t-t0ken" << "s3cr3t-t0ken";
    QTest::addRow("data-dir") << "data-dir" << "/var/lib/eventsource" << "/var/lib/eventsource";
    QTest::addRow("path") << "path" << "/events" << "/events";
    QTest::addRow("path nested") << "path" << "/api/v1/sse" << "/api/v1/sse";
    QTest::addRow("path root") << "path" << "/" << "/";
    QTest::addRow("allow-origin one") << "allow-origin" << "https://app.example" << "https://app.example";
    QTest::addRow("allow-origin star") << "allow-origin" << "*" << "*";
    QTest::addRow("heartbeat-ms minimum") << "heartbeat-ms" << "100" << "100";
    QTest::addRow("retry-ms") << "retry-ms" << "0" << "0";
    QTest::addRow("history-size zero") << "history-size" << "0" << "0";
    QTest::addRow("history-size maximum") << "history-size" << "10000000" << "10000000";
    QTest::addRow("max-connections minimum") << "max-connections" << "1" << "1";
    QTest::addRow("max-buffer-kb maximum") << "max-buffer-kb" << "1048576" << "1048576";
    QTest::addRow("max-event-kb maximum") << "max-event-kb" << "65536" << "65536";
    QTest::addRow("max-header-kb maximum") << "max-header-kb" << "1024" << "1024";
    QTest::addRow("request-timeout-ms minimum") << "request-timeout-ms" << "100" << "100";
    QTest::addRow("initial-padding") << "initial-padding" << "2048" << "2048";
    QTest::addRow("h2-max-streams minimum") << "h2-max-streams" << "1" << "1";
    QTest::addRow("h2-max-streams maximum") << "h2-max-streams" << "65536" << "65536";
    QTest::addRow("send-threads none") << "send-threads" << "0" << "0";
    QTest::addRow("send-threads maximum") << "send-threads" << "16" << "16";
    QTest::addRow("number with surrounding spaces") << "retry-ms" << " 250 " << "250";
}

void tst_ConfigLoader::fromFlag()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, expected);

    verifyLoads({QStringLiteral("--") + option, value}, QProcessEnvironment(), option, expected);
}

void tst_ConfigLoader::fromEnvironment()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, expected);

    verifyLoads({}, environment({envName(option) + u'=' + value}), option, expected);
}

void tst_ConfigLoader::fromFile()
{
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, expected);

    const QString path = writeFile(QJsonDocument(QJsonObject{{option, value}}).toJson());
    verifyLoads({QStringLiteral("--config"), path}, QProcessEnvironment(), option, expected);
}

void tst_ConfigLoader::flagSyntax_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");

    QTest::addRow("--name=value") << QStringList{"--history-size=7"} << "history-size" << "7";
    QTest::addRow("single dash long option") << QStringList{"-history-size", "8"} << "history-size" << "8";
    QTest::addRow("last of a repeated scalar wins")
        << QStringList{"--retry-ms", "1", "--retry-ms", "2"} << "retry-ms" << "2";
    QTest::addRow("several options")
        << QStringList{"--listen", "127.0.0.1:1", "--history-size", "9", "--path", "/x"} << "history-size"
        << "9";
}

void tst_ConfigLoader::flagSyntax()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, option);
    QFETCH(QString, expected);

    verifyLoads(arguments, QProcessEnvironment(), option, expected);
}

void tst_ConfigLoader::fileJsonTypes_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");

    QTest::addRow("number as JSON number") << QByteArray(R"({"history-size": 42})") << "history-size" << "42";
    QTest::addRow("number as JSON string") << QByteArray(R"({"history-size": "43"})") << "history-size" << "43";
    QTest::addRow("zero") << QByteArray(R"({"retry-ms": 0})") << "retry-ms" << "0";
    QTest::addRow("origins as an array")
        << QByteArray(R"({"allow-origin": ["https://a.example", "https://b.example"]})") << "allow-origin"
        << "https://a.example|https://b.example";
    QTest::addRow("origins as an array with a comma list")
        << QByteArray(R"({"allow-origin": ["https://a.example", "https://b.example,https://c.example"]})")
        << "allow-origin" << "https://a.example|https://b.example|https://c.example";
    QTest::addRow("origins as one string") << QByteArray(R"({"allow-origin": "https://a.example"})")
                                           << "allow-origin" << "https://a.example";
    QTest::addRow("empty object keeps defaults") << QByteArray("{}") << "path" << "/eventsource";
    QTest::addRow("comment lines")
        << QByteArray("# the hub's config\n{\n    # events kept\n\t# \"history-size\": 9,\n    \"history-size\": 44\n}\n")
        << "history-size" << "44";
    QTest::addRow("# in a string stays") << QByteArray(R"({"admin-token": "#a#b"})") << "admin-token" << "#a#b";
}

void tst_ConfigLoader::fileJsonTypes()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, option);
    QFETCH(QString, expected);

    verifyLoads({QStringLiteral("--config"), writeFile(json)}, QProcessEnvironment(), option, expected);
}

void tst_ConfigLoader::precedence_data()
{
    // Each source sets history-size to a value of its own; empty means the source is silent.
    QTest::addColumn<QString>("fileValue");
    QTest::addColumn<QString>("envValue");
    QTest::addColumn<QString>("flagValue");
    QTest::addColumn<QString>("expected");

    QTest::addRow("file only") << "1" << "" << "" << "1";
    QTest::addRow("env only") << "" << "2" << "" << "2";
    QTest::addRow("flag only") << "" << "" << "3" << "3";
    QTest::addRow("env over file") << "1" << "2" << "" << "2";
    QTest::addRow("flag over file") << "1" << "" << "3" << "3";
    QTest::addRow("flag over env") << "" << "2" << "3" << "3";
    QTest::addRow("flag over env over file") << "1" << "2" << "3" << "3";
    QTest::addRow("none: default") << "" << "" << "" << "1000";
}

void tst_ConfigLoader::precedence()
{
    QFETCH(QString, fileValue);
    QFETCH(QString, envValue);
    QFETCH(QString, flagValue);
    QFETCH(QString, expected);

    QStringList arguments{program};
    if (!fileValue.isEmpty())
        arguments << QStringLiteral("--config") << writeFile("{\"history-size\": " + fileValue.toUtf8() + "}");
    if (!flagValue.isEmpty())
        arguments << QStringLiteral("--history-size") << flagValue;
    QProcessEnvironment env;
    if (!envValue.isEmpty())
        env.insert(QStringLiteral("EVENTSOURCE_HISTORY_SIZE"), envValue);

    const ConfigLoader::Result result = ConfigLoader::load(arguments, env);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(QString::number(result.config->historySize), expected);
    // The other sources' options still apply.
    QCOMPARE(result.config->path, QStringLiteral("/eventsource"));
}

void tst_ConfigLoader::configFileLocation_data()
{
    QTest::addColumn<bool>("flag");
    QTest::addColumn<bool>("env");
    QTest::addColumn<int>("expected"); // history-size: 11 from the flag's file, 22 from the env's

    QTest::addRow("--config") << true << false << 11;
    QTest::addRow("EVENTSOURCE_CONFIG") << false << true << 22;
    QTest::addRow("--config over EVENTSOURCE_CONFIG") << true << true << 11;
}

void tst_ConfigLoader::configFileLocation()
{
    QFETCH(bool, flag);
    QFETCH(bool, env);
    QFETCH(int, expected);

    QStringList arguments{program};
    if (flag)
        arguments << QStringLiteral("--config") << writeFile(R"({"history-size": 11})", QStringLiteral("a.json"));
    QProcessEnvironment environment;
    if (env)
        environment.insert(QStringLiteral("EVENTSOURCE_CONFIG"),
                           writeFile(R"({"history-size": 22})", QStringLiteral("b.json")));

    const ConfigLoader::Result result = ConfigLoader::load(arguments, environment);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->historySize, expected);
}

void tst_ConfigLoader::allowOrigin_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QStringList>("expected");

    const QString a = QStringLiteral("https://a.example");
    const QString b = QStringLiteral("https://b.example");
    const QString c = QStringLiteral("http://c.example:8080");

    QTest::addRow("repeated flag") << QStringList{"--allow-origin", a, "--allow-origin", b} << QStringList()
                                   << QByteArray() << QStringList{a, b};
    QTest::addRow("comma-separated flag") << QStringList{"--allow-origin", a + ',' + b} << QStringList()
                                          << QByteArray() << QStringList{a, b};
    QTest::addRow("repeated and comma-separated")
        << QStringList{"--allow-origin", a + ',' + b, "--allow-origin", c} << QStringList() << QByteArray()
        << QStringList{a, b, c};
    QTest::addRow("spaces around entries trimmed")
        << QStringList{"--allow-origin", ' ' + a + " , " + b + ' '} << QStringList() << QByteArray()
        << QStringList{a, b};
    QTest::addRow("empty entries skipped") << QStringList{"--allow-origin", ',' + a + ",," + b + ','}
                                           << QStringList() << QByteArray() << QStringList{a, b};
    QTest::addRow("star among origins") << QStringList{"--allow-origin", "*," + a} << QStringList()
                                        << QByteArray() << QStringList{"*", a};
    QTest::addRow("comma-separated env") << QStringList() << QStringList{"EVENTSOURCE_ALLOW_ORIGIN=" + a + ',' + b}
                                         << QByteArray() << QStringList{a, b};
    QTest::addRow("flag replaces env, not merged")
        << QStringList{"--allow-origin", c} << QStringList{"EVENTSOURCE_ALLOW_ORIGIN=" + a + ',' + b}
        << QByteArray() << QStringList{c};
    QTest::addRow("env replaces file") << QStringList() << QStringList{"EVENTSOURCE_ALLOW_ORIGIN=" + c}
                                       << QByteArray(R"({"allow-origin": ["https://a.example"]})")
                                       << QStringList{c};
}

void tst_ConfigLoader::allowOrigin()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, env);
    QFETCH(QByteArray, file);
    QFETCH(QStringList, expected);

    QStringList all{program};
    if (!file.isEmpty())
        all << QStringLiteral("--config") << writeFile(file);
    const ConfigLoader::Result result = ConfigLoader::load(all + arguments, environment(env));
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->allowOrigins, expected);
}

void tst_ConfigLoader::errors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QByteArray>("file"); // "-" for a config path that does not exist
    QTest::addColumn<QStringList>("fragments"); // each must appear in the error

    const QStringList noEnv;
    const QByteArray noFile;
    const QString cmd = QStringLiteral("the command line");

    const auto flagRow = [&](const char *name, const QString &option, const QString &value) {
        QTest::addRow("%s", name) << QStringList{"--" + option, value} << noEnv << noFile
                                  << QStringList{option, cmd};
    };
    flagRow("listen without port", "listen", "127.0.0.1");
    flagRow("listen without host", "listen", ":8080");
    flagRow("listen port too large", "listen", "127.0.0.1:65536");
    flagRow("listen port not a number", "listen", "127.0.0.1:http");
    flagRow("listen host name", "listen", "example.com:80");
    flagRow("admin-listen garbage", "admin-listen", "nonsense");
    flagRow("h2-max-streams zero", "h2-max-streams", "0");
    flagRow("h2-max-streams too many", "h2-max-streams", "65537");
    flagRow("admin-token empty", "admin-token", "");
    flagRow("admin-token with space", "admin-token", "two words");
    flagRow("path without leading slash", "path", "events");
    flagRow("path with trailing slash", "path", "/events/");
    flagRow("path with query", "path", "/events?x=1");
    flagRow("path with fragment", "path", "/events#x");
    flagRow("path empty", "path", "");
    flagRow("allow-origin not a URL", "allow-origin", "http://exa mple.com");
    flagRow("heartbeat-ms below minimum", "heartbeat-ms", "99");
    flagRow("retry-ms negative", "retry-ms", "-1");
    flagRow("retry-ms beyond int", "retry-ms", "2147483648");
    flagRow("history-size above maximum", "history-size", "10000001");
    flagRow("history-size not a number", "history-size", "many");
    flagRow("history-size fractional", "history-size", "5.5");
    flagRow("history-size empty", "history-size", "");
    flagRow("max-connections zero", "max-connections", "0");
    flagRow("max-buffer-kb zero", "max-buffer-kb", "0");
    flagRow("max-buffer-kb above maximum", "max-buffer-kb", "1048577");
    flagRow("max-event-kb above maximum", "max-event-kb", "65537");
    flagRow("max-header-kb above maximum", "max-header-kb", "1025");
    flagRow("request-timeout-ms below minimum", "request-timeout-ms", "99");
    flagRow("initial-padding above maximum", "initial-padding", "65537");
    flagRow("initial-padding negative", "initial-padding", "-5");
    flagRow("send-threads above maximum", "send-threads", "17");
    flagRow("send-threads negative", "send-threads", "-1");

    QTest::addRow("env value bad") << QStringList() << QStringList{"EVENTSOURCE_HISTORY_SIZE=lots"} << noFile
                                   << QStringList{"history-size", "EVENTSOURCE_HISTORY_SIZE"};
    QTest::addRow("env listen bad") << QStringList() << QStringList{"EVENTSOURCE_LISTEN=nowhere"} << noFile
                                    << QStringList{"listen", "EVENTSOURCE_LISTEN"};
    QTest::addRow("env bad although the flag is good")
        << QStringList{"--max-connections", "5"} << QStringList{"EVENTSOURCE_MAX_CONNECTIONS=0"} << noFile
        << QStringList{"max-connections", "EVENTSOURCE_MAX_CONNECTIONS"};

    QTest::addRow("file value out of range") << QStringList() << noEnv
                                             << QByteArray(R"({"max-event-kb": 0})")
                                             << QStringList{"max-event-kb", "config file"};
    QTest::addRow("file fractional number") << QStringList() << noEnv
                                            << QByteArray(R"({"history-size": 5.5})")
                                            << QStringList{"history-size", "config file"};
    QTest::addRow("file unknown key") << QStringList() << noEnv << QByteArray(R"({"listn": "1.2.3.4:5"})")
                                      << QStringList{"unknown option 'listn'"};
    QTest::addRow("file object value") << QStringList() << noEnv
                                       << QByteArray(R"({"history-size": {"n": 1}})")
                                       << QStringList{"'history-size'", "wrong type"};
    QTest::addRow("file null value") << QStringList() << noEnv << QByteArray(R"({"path": null})")
                                     << QStringList{"'path'", "wrong type"};
    QTest::addRow("file array of numbers") << QStringList() << noEnv
                                           << QByteArray(R"({"allow-origin": [1, 2]})")
                                           << QStringList{"'allow-origin'", "wrong type"};
    QTest::addRow("file boolean for a number") << QStringList() << noEnv
                                               << QByteArray(R"({"retry-ms": true})")
                                               << QStringList{"retry-ms"};
    QTest::addRow("file not JSON") << QStringList() << noEnv << QByteArray("listen=1.2.3.4:5")
                                   << QStringList{"line 1:"};
    QTest::addRow("file error after comments: its line")
        << QStringList() << noEnv << QByteArray("# one\n  # two\n{\n\"path\": \"/a\",\n}\n")
        << QStringList{"line 5:"};
    QTest::addRow("file # inside a line is not a comment")
        << QStringList() << noEnv << QByteArray("{\"history-size\": 5 # five\n}") << QStringList{"line 1:"};
    QTest::addRow("file is an array") << QStringList() << noEnv << QByteArray("[]")
                                      << QStringList{"not a JSON object"};
    QTest::addRow("file missing") << QStringList() << noEnv << QByteArray("-")
                                  << QStringList{"cannot read config file", "missing.json"};

    QTest::addRow("unknown flag") << QStringList{"--no-such-option"} << noEnv << noFile
                                  << QStringList{"no-such-option", "--help"};
    QTest::addRow("flag without its value") << QStringList{"--listen"} << noEnv << noFile
                                            << QStringList{"listen"};
    QTest::addRow("positional argument") << QStringList{"extra"} << noEnv << noFile
                                         << QStringList{"unexpected argument 'extra'"};
    QTest::addRow("positional argument after options")
        << QStringList{"--history-size", "5", "stray"} << noEnv << noFile
        << QStringList{"unexpected argument 'stray'"};
}

void tst_ConfigLoader::errors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, env);
    QFETCH(QByteArray, file);
    QFETCH(QStringList, fragments);

    QStringList all{program};
    if (file == "-")
        all << QStringLiteral("--config") << m_dir->filePath(QStringLiteral("missing.json"));
    else if (!file.isEmpty())
        all << QStringLiteral("--config") << writeFile(file);
    const ConfigLoader::Result result = ConfigLoader::load(all + arguments, environment(env));
    if (result.config && optionNames.contains(fragments.first())) {
        QFAIL(qPrintable(QStringLiteral("accepted, %1 = '%2'")
                             .arg(fragments.first(), valueOf(*result.config, fragments.first()))));
    }
    QVERIFY2(!result.config, "accepted");
    QVERIFY(!result.error.isEmpty());
    QVERIFY(result.helpText.isEmpty());
    for (const QString &fragment : std::as_const(fragments))
        QVERIFY2(result.error.contains(fragment), qPrintable(result.error + " lacks " + fragment));
}

void tst_ConfigLoader::help_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::addRow("--help") << QStringList{"--help"};
    QTest::addRow("-h") << QStringList{"-h"};
    QTest::addRow("--help beats a bad option") << QStringList{"--history-size", "nope", "--help"};
}

void tst_ConfigLoader::help()
{
    QFETCH(QStringList, arguments);

    const ConfigLoader::Result result = ConfigLoader::load(QStringList{program} + arguments, QProcessEnvironment());
    QVERIFY(!result.config);
    QVERIFY(result.error.isEmpty());
    QCOMPARE(result.helpText, ConfigLoader::helpText());
}

void tst_ConfigLoader::helpListsEveryOption_data()
{
    QTest::addColumn<QString>("flag");

    for (const QString &name : optionNames)
        QTest::addRow("%s", qPrintable(name)) << QStringLiteral("--") + name + u' ';
    QTest::addRow("config") << QStringLiteral("--config FILE");
    QTest::addRow("help") << QStringLiteral("--help");
    QTest::addRow("version") << QStringLiteral("--version");
    QTest::addRow("environment naming") << QStringLiteral("EVENTSOURCE_<NAME>");
}

void tst_ConfigLoader::helpListsEveryOption()
{
    QFETCH(QString, flag);

    const QString help = ConfigLoader::helpText();
    QVERIFY2(help.contains(flag), qPrintable(help));
    // Every option listed in help is accepted as a flag (the two lists cannot drift apart).
    if (optionNames.contains(flag.mid(2).trimmed())) {
        const QString option = flag.mid(2).trimmed();
        const ConfigLoader::Result result =
            ConfigLoader::load({program, QStringLiteral("--") + option, QStringLiteral("bogus value")},
                               QProcessEnvironment());
        QVERIFY(!result.error.contains(QStringLiteral("Unknown option")));
    }
}

void tst_ConfigLoader::version()
{
    const ConfigLoader::Result result =
        ConfigLoader::load({program, QStringLiteral("--version")}, QProcessEnvironment());
    QVERIFY(result.versionRequested);
    QVERIFY(!result.config);
    QVERIFY(result.error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ConfigLoader)
#include "tst_configloader.moc"
