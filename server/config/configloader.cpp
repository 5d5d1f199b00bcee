#include "configloader.h"

#include "redisurl.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrl>

#include <algorithm>
#include <climits>
#include <functional>
#include <tuple>

namespace {

enum class Kind { Text, Number, List, Address, Flag };

struct Option
{
    const char *name;
    Kind kind;
    const char *valueName;
    const char *help;
    int minimum = 0;
    int maximum = INT_MAX;
};

// The one table of options: flags, environment names, config keys and --help come from it.
const Option options[] = {
    {"listen", Kind::Address, "HOST:PORT", "Public SSE listener. Default 0.0.0.0:8080."},
    {"admin-listen", Kind::Address, "HOST:PORT", "Admin API listener. Default 127.0.0.1:8081."},
    {"admin-token", Kind::Text, "TOKEN",
     "Bearer token for the admin API. Default: generated at start (kept in DATA-DIR/admin-token)."},
    {"data-dir", Kind::Text, "DIR",
     "Keep history in DIR/history.sqlite so it survives restarts. Default: memory only."},
    {"path", Kind::Text, "PATH", "Base path of the SSE endpoint. Default /eventsource."},
    {"allow-origin", Kind::List, "ORIGIN",
     "Origin allowed by CORS, with cookies (repeatable, or comma-separated). * allows every "
     "other origin without cookies. Default: none."},
    {"heartbeat-ms", Kind::Number, "N", "Comment sent to idle streams every N ms. Default 15000.", 100},
    {"retry-ms", Kind::Number, "N", "Reconnection delay sent to clients (retry:). Default 3000."},
    {"history-size", Kind::Number, "N", "Events kept for Last-Event-ID replay. Default 1000.", 0, 10000000},
    {"history-max-mb", Kind::Number, "N",
     "MiB of event memory the history may keep (data, names, encoded frames); the oldest "
     "events go first, and a resume from one gets an eventsource-gap. Default 64.", 1, 1 << 20},
    {"history-sync-full", Kind::Flag, "",
     "With --data-dir, sync the history to disk at every commit (SQLite synchronous=FULL): "
     "acknowledged events also survive an OS crash or power loss, at the cost of an fsync "
     "per event-loop turn. Default: they survive a crash of the server process."},
    {"max-connections", Kind::Number, "N", "Concurrent streams; more get 503. Default 10000.", 1},
    {"max-connections-per-ip", Kind::Number, "N",
     "Concurrent streams from one client address; more get 429. Default 0: no limit, since "
     "many users can share one address (NAT, proxies); set it when they do not.", 0},
    {"max-filter-names", Kind::Number, "N",
     "Event names one stream may filter on (GET <path>/a,b,...); more get 400. Default 256.", 1, 65536},
    {"max-buffer-kb", Kind::Number, "N",
     "Unsent KiB per stream before a slow client is dropped. Default 512.", 1, 1 << 20},
    {"max-event-kb", Kind::Number, "N", "Largest event data in KiB; larger gets 413. Default 64.", 1, 1 << 16},
    {"max-header-kb", Kind::Number, "N", "Largest request head in KiB; larger gets 431. Default 16.", 1, 1024},
    {"request-timeout-ms", Kind::Number, "N",
     "Time allowed to send a whole request, and to idle between requests. Default 10000.", 100},
    {"jwt-secret", Kind::Text, "SECRET",
     "HS256 secret for stream tokens (JWT). Prefer EVENTSOURCE_JWT_SECRET: flags show in ps."},
    {"jwt-cookie", Kind::Text, "NAME", "Cookie holding a stream token. Default eventsource_token."},
    {"allow-query-token", Kind::Flag, "",
     "Also accept ?token=<jwt> (for clients that cannot set headers; URLs get logged)."},
    {"auth-failures-per-minute", Kind::Number, "N",
     "Wrong passwords (per client address and per user name) and wrong admin tokens (per "
     "address) allowed a minute, after a burst of as many; more get 429. 0: no limit. Default 10.", 0, 100000},
    {"max-pending-logins", Kind::Number, "N",
     "Logins being checked at once (password hashing runs on worker threads); more get 503. "
     "Default 32.", 1, 100000},
    {"admin-allow-origin", Kind::List, "ORIGIN",
     "Browser origin allowed to open the control channel besides the admin listener's own "
     "(repeatable). Default: none."},
    {"users", Kind::Text, "FILE",
     "JSON user directory for POST /login and /logout (see eventsource-cli hash-password)."},
    {"deny-anonymous", Kind::Flag, "", "Refuse streams without a token or login (401)."},
    {"session-cookie", Kind::Text, "NAME", "Session cookie name. Default eventsource_session."},
    {"secure-cookies", Kind::Flag, "",
     "Mark cookies Secure; SameSite=None (behind a TLS proxy, for cross-site pages). On by "
     "default with --tls-cert."},
    {"tls-cert", Kind::Text, "FILE",
     "PEM certificate chain (the server's own certificate first) for the public listener: it "
     "then speaks only TLS 1.2+ (https://). Reloaded on SIGHUP. Needs --tls-key."},
    {"tls-key", Kind::Text, "FILE", "PEM private key of --tls-cert, not encrypted."},
    {"admin-tls-cert", Kind::Text, "FILE",
     "PEM certificate chain for the admin listener: https:// and wss:// for /control. "
     "Reloaded on SIGHUP. Needs --admin-tls-key."},
    {"admin-tls-key", Kind::Text, "FILE", "PEM private key of --admin-tls-cert, not encrypted."},
    {"h2-max-streams", Kind::Number, "N",
     "Streams one HTTP/2 connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS); "
     "more are refused (REFUSED_STREAM). HTTP/2 is spoken over TLS when the client offers h2 "
     "(ALPN), and in clear by clients that start with its preface (h2c). Default 128.", 1, 65536},
    {"initial-padding", Kind::Number, "BYTES",
     "Comment padding sent at stream start for old polyfills (2048 for IE). Default 0.", 0, 65536},
    {"redis", Kind::Text, "URL",
     "Join the cluster of every node started with the same Redis: redis://[user:password@]host:port[/db] "
     "or unix:///path. History, fan-out and resume are shared. Default: none (standalone)."},
    {"node-id", Kind::Text, "NAME",
     "This node's name in the cluster (letters, digits, . _ -). Default <hostname>-<public port>."},
    {"redis-prefix", Kind::Text, "P", "Prefix of every Redis key, so hubs can share one Redis. Default eventsource:."},
    {"redis-timeout-ms", Kind::Number, "N",
     "A publish Redis has not taken within N ms is answered 503; a silent Redis is reconnected. Default 2000.",
     100, 600000},
    {"test-faults", Kind::Flag, "",
     "Let the admin API inject faults into streams (/api/faults: stall, cut, reject, duplicate, "
     "malformed) for testing client apps. Never on a production hub. Default: off (403)."},
    {"test-mode", Kind::Flag, "",
     "Deterministic ids for client apps' test suites: events get test-1, test-2, ... and "
     "POST /api/reset clears the history, the streams and the faults (ids start again at "
     "test-1). History in memory: not with --data-dir or --redis."},
    {"demo", Kind::Flag, "",
     "Serve the demo page at GET /demo on the public listener: subscribe with filters, log in "
     "and out, watch events arrive. It never sees the admin token. Default: off (404)."},
    {"send-threads", Kind::Number, "N",
     "Helper threads sending large broadcasts (0: the event loop sends alone). "
     "Default: one fewer than the CPU cores, at most 3.", 0, 16},
};

QString envName(const char *name)
{
    return QStringLiteral("EVENTSOURCE_") + QString::fromLatin1(name).toUpper().replace(u'-', u'_');
}

struct Applier
{
    ServerConfig &config;
    QString error;

    bool fail(const QString &source, const Option &option, const QString &why)
    {
        error = QStringLiteral("%1 %2 (from %3)").arg(QString::fromLatin1(option.name), why, source);
        return false;
    }

    bool parseAddress(const QString &value, QHostAddress *address, quint16 *port)
    {
        const qsizetype colon = value.lastIndexOf(u':');
        if (colon <= 0)
            return false;
        QString host = value.left(colon);
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        bool ok = false;
        const uint number = value.mid(colon + 1).toUInt(&ok);
        if (!ok || number > 65535)
            return false;
        QHostAddress parsed;
        if (host == QLatin1String("localhost"))
            parsed = QHostAddress::LocalHost;
        else if (host == QLatin1String("*"))
            parsed = QHostAddress::Any;
        else if (!parsed.setAddress(host))
            return false;
        *address = parsed;
        *port = quint16(number);
        return true;
    }

    // Applies one option's values (several only for lists) from the named source.
    bool apply(const QString &source, const Option &option, const QStringList &values)
    {
        const QString name = QString::fromLatin1(option.name);
        const QString value = values.isEmpty() ? QString() : values.last();
        switch (option.kind) {
        case Kind::Address: {
            QHostAddress *address = name == QLatin1String("listen") ? &config.listenAddress
                                                                    : &config.adminAddress;
            quint16 *port = name == QLatin1String("listen") ? &config.listenPort : &config.adminPort;
            if (!parseAddress(value, address, port))
                return fail(source, option, QStringLiteral("must be HOST:PORT, got '%1'").arg(value));
            return true;
        }
        case Kind::Number: {
            bool ok = false;
            const qlonglong number = value.trimmed().toLongLong(&ok);
            if (!ok || number < option.minimum || number > option.maximum)
                return fail(source, option,
                            QStringLiteral("must be a whole number from %1 to %2, got '%3'")
                                .arg(option.minimum).arg(option.maximum).arg(value));
            numberField(name) = int(number);
            return true;
        }
        case Kind::List: {
            QStringList origins;
            for (const QString &entry : values) {
                for (const QString &part : entry.split(u',', Qt::SkipEmptyParts))
                    origins.append(part.trimmed());
            }
            const bool admin = name == QLatin1String("admin-allow-origin");
            for (const QString &origin : origins) {
                if (admin && origin == QLatin1String("*"))
                    return fail(source, option, QStringLiteral("must name origins: * is not allowed"));
                if (origin.compare(QLatin1String("null"), Qt::CaseInsensitive) == 0)
                    return fail(source, option, QStringLiteral("'null' is the origin of sandboxed "
                                                               "pages and files: it is never allowed"));
                if (origin != QLatin1String("*") && !QUrl(origin).isValid())
                    return fail(source, option, QStringLiteral("'%1' is not an origin").arg(origin));
            }
            (admin ? config.adminAllowOrigins : config.allowOrigins) = origins;
            return true;
        }
        case Kind::Flag: {
            const QString flag = value.trimmed().toLower();
            const bool on = flag.isEmpty() || flag == QLatin1String("true") || flag == QLatin1String("1")
                || flag == QLatin1String("yes") || flag == QLatin1String("on");
            const bool off = flag == QLatin1String("false") || flag == QLatin1String("0")
                || flag == QLatin1String("no") || flag == QLatin1String("off");
            if (!on && !off)
                return fail(source, option, QStringLiteral("must be true or false, got '%1'").arg(value));
            if (name == QLatin1String("deny-anonymous"))
                config.allowAnonymous = !on;
            else
                flagField(name) = on;
            return true;
        }
        case Kind::Text:
            if (value.isEmpty())
                return fail(source, option, QStringLiteral("must not be empty"));
            if (name == QLatin1String("admin-token") && value.contains(u' '))
                return fail(source, option, QStringLiteral("must not contain spaces"));
            if (name == QLatin1String("path")
                && (!value.startsWith(u'/') || value.contains(u'?') || value.contains(u'#')
                    || (value.size() > 1 && value.endsWith(u'/'))))
                return fail(source, option,
                            QStringLiteral("must start with / and not end with / (got '%1')").arg(value));
            if (name.endsWith(QLatin1String("-cookie"))
                && !std::all_of(value.begin(), value.end(), [](QChar c) {
                       return c.isLetterOrNumber() || c == u'_' || c == u'-';
                   }))
                return fail(source, option, QStringLiteral("must be letters, digits, _ or -"));
            if (name == QLatin1String("redis")) {
                QString why;
                if (!RedisUrl::parse(value, &why))
                    return fail(source, option, why);
            }
            if (name == QLatin1String("node-id")
                && (value.size() > 64 || !std::all_of(value.begin(), value.end(), [](QChar c) {
                       return (c.isLetterOrNumber() && c.unicode() < 128) || c == u'.' || c == u'_' || c == u'-';
                   })))
                return fail(source, option, QStringLiteral("must be at most 64 letters, digits, ., _ or -"));
            if (name == QLatin1String("redis-prefix") && (value.size() > 64 || value.contains(u' ')))
                return fail(source, option, QStringLiteral("must be at most 64 characters without spaces"));
            textField(name) = value;
            return true;
        }
        return true;
    }

    QString &textField(const QString &name)
    {
        static const QHash<QString, QString ServerConfig::*> fields{
            {QStringLiteral("admin-token"), &ServerConfig::adminToken},
            {QStringLiteral("data-dir"), &ServerConfig::dataDir},
            {QStringLiteral("path"), &ServerConfig::path},
            {QStringLiteral("jwt-secret"), &ServerConfig::jwtSecret},
            {QStringLiteral("jwt-cookie"), &ServerConfig::jwtCookie},
            {QStringLiteral("users"), &ServerConfig::usersFile},
            {QStringLiteral("session-cookie"), &ServerConfig::sessionCookie},
            {QStringLiteral("redis"), &ServerConfig::redisUrl},
            {QStringLiteral("node-id"), &ServerConfig::nodeId},
            {QStringLiteral("redis-prefix"), &ServerConfig::redisPrefix},
            {QStringLiteral("tls-cert"), &ServerConfig::tlsCertFile},
            {QStringLiteral("tls-key"), &ServerConfig::tlsKeyFile},
            {QStringLiteral("admin-tls-cert"), &ServerConfig::adminTlsCertFile},
            {QStringLiteral("admin-tls-key"), &ServerConfig::adminTlsKeyFile},
        };
        return config.*fields.value(name);
    }

    bool &flagField(const QString &name)
    {
        static const QHash<QString, bool ServerConfig::*> fields{
            {QStringLiteral("allow-query-token"), &ServerConfig::allowQueryToken},
            {QStringLiteral("secure-cookies"), &ServerConfig::secureCookies},
            {QStringLiteral("history-sync-full"), &ServerConfig::historySyncFull},
            {QStringLiteral("test-faults"), &ServerConfig::testFaults},
            {QStringLiteral("test-mode"), &ServerConfig::testMode},
            {QStringLiteral("demo"), &ServerConfig::demo},
        };
        return config.*fields.value(name);
    }

    int &numberField(const QString &name)
    {
        static const QHash<QString, int ServerConfig::*> fields{
            {QStringLiteral("heartbeat-ms"), &ServerConfig::heartbeatMs},
            {QStringLiteral("retry-ms"), &ServerConfig::retryMs},
            {QStringLiteral("history-size"), &ServerConfig::historySize},
            {QStringLiteral("history-max-mb"), &ServerConfig::historyMaxMb},
            {QStringLiteral("max-connections"), &ServerConfig::maxConnections},
            {QStringLiteral("max-connections-per-ip"), &ServerConfig::maxConnectionsPerIp},
            {QStringLiteral("max-filter-names"), &ServerConfig::maxFilterNames},
            {QStringLiteral("auth-failures-per-minute"), &ServerConfig::authFailuresPerMinute},
            {QStringLiteral("max-pending-logins"), &ServerConfig::maxPendingLogins},
            {QStringLiteral("max-buffer-kb"), &ServerConfig::maxBufferKb},
            {QStringLiteral("max-event-kb"), &ServerConfig::maxEventKb},
            {QStringLiteral("max-header-kb"), &ServerConfig::maxHeaderKb},
            {QStringLiteral("request-timeout-ms"), &ServerConfig::requestTimeoutMs},
            {QStringLiteral("h2-max-streams"), &ServerConfig::h2MaxStreams},
            {QStringLiteral("initial-padding"), &ServerConfig::initialPadding},
            {QStringLiteral("send-threads"), &ServerConfig::sendThreads},
            {QStringLiteral("redis-timeout-ms"), &ServerConfig::redisTimeoutMs},
        };
        return config.*fields.value(name);
    }
};

// A config file value as the list of strings apply() takes.
std::optional<QStringList> fileValues(const QJsonValue &value)
{
    if (value.isString())
        return QStringList{value.toString()};
    if (value.isDouble())
        return QStringList{QString::number(value.toDouble(), 'g', 17)}; // 5.5 stays 5.5, and is refused
    if (value.isBool())
        return QStringList{value.toBool() ? QStringLiteral("true") : QStringLiteral("false")};
    if (value.isArray()) {
        QStringList list;
        for (const QJsonValue &entry : value.toArray()) {
            if (!entry.isString())
                return std::nullopt;
            list.append(entry.toString());
        }
        return list;
    }
    return std::nullopt;
}

// Lines whose first non-blank character is '#' are comments (the packaged config explains
// itself). They become blanks, so a parse error's offset still points into the file. A JSON
// string holds no raw newline, so such a '#' is never inside one.
QByteArray withoutCommentLines(QByteArray text)
{
    bool lineStart = true;
    bool comment = false;
    for (char &c : text) {
        if (c == '\n') {
            lineStart = true;
            comment = false;
        } else if (comment || (lineStart && c == '#')) {
            comment = true;
            c = ' ';
        } else if (c != ' ' && c != '\t' && c != '\r') {
            lineStart = false;
        }
    }
    return text;
}

// "line L" of a byte offset into the file, for parse errors.
int lineOf(const QByteArray &text, int offset)
{
    return int(text.left(offset).count('\n')) + 1;
}

} // namespace

QString ConfigLoader::helpText()
{
    QString text = QStringLiteral(
        "Usage: eventsource-server [options]\n"
        "EventSource Hub: a Server-Sent Events push server.\n\n"
        "Options (each also EVENTSOURCE_<NAME> in the environment and \"name\" in the\n"
        "JSON config file; flags win over the environment, the environment over the file):\n"
        "  --config FILE            JSON config file (env EVENTSOURCE_CONFIG).\n");
    for (const Option &option : options) {
        const QString flag = QStringLiteral("--%1 %2").arg(QString::fromLatin1(option.name),
                                                           QString::fromLatin1(option.valueName)).trimmed();
        text += QStringLiteral("  %1 %2\n").arg(flag, -24).arg(QString::fromLatin1(option.help));
    }
    text += QStringLiteral(
        "  --hash-password          Read a password on stdin, print its hash for --users, exit.\n"
        "  -h, --help               Show this help.\n"
        "  -v, --version            Show the version.\n\n"
        "Endpoints: GET <path>[/name1,name2] streams events; GET /eventsource-hub.js is the\n"
        "client helper; with --users, POST /login and POST /logout; with --demo, GET /demo.\n"
        "The admin listener serves POST /api/push, POST /api/pause,\n"
        "GET /api/connections, DELETE /api/connections/<id>, GET /api/connections/<id>/trace,\n"
        "GET /api/nodes, GET /api/stats, GET /api/history, GET /api/events/<id>, GET /metrics,\n"
        "GET /health, with --test-faults POST and GET /api/faults and DELETE /api/faults/<id>,\n"
        "with --test-mode POST /api/reset, and the control channel (WebSocket /control), each\n"
        "with 'Authorization: Bearer <admin token>'. Limits and safe deployment:\n"
        "docs/SECURITY.md. Several nodes: --redis (README, \"Several nodes\").\n");
    return text;
}

ConfigLoader::Result ConfigLoader::load(const QStringList &arguments,
                                        const QProcessEnvironment &environment)
{
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QString());
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")}, QString());
    const QCommandLineOption configFile(QStringLiteral("config"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption hashPassword(QStringLiteral("hash-password"), QString());
    parser.addOptions({help, version, configFile, hashPassword});
    for (const Option &option : options) {
        if (option.kind == Kind::Flag)
            parser.addOption(QCommandLineOption(QString::fromLatin1(option.name), QString()));
        else
            parser.addOption(QCommandLineOption(QString::fromLatin1(option.name), QString(),
                                                QString::fromLatin1(option.valueName)));
    }
    Result result;
    if (!parser.parse(arguments)) {
        result.error = parser.errorText() + QStringLiteral(" (see --help)");
        return result;
    }
    if (parser.isSet(help)) {
        result.helpText = helpText();
        return result;
    }
    if (parser.isSet(version)) {
        result.versionRequested = true;
        return result;
    }
    if (parser.isSet(hashPassword)) {
        result.hashPasswordRequested = true;
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.error = QStringLiteral("unexpected argument '%1' (see --help)")
                           .arg(parser.positionalArguments().first());
        return result;
    }

    ServerConfig config;
    Applier applier{config, {}};
    const QString path = parser.isSet(configFile) ? parser.value(configFile)
                                                  : environment.value(QStringLiteral("EVENTSOURCE_CONFIG"));
    if (!path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("cannot read config file %1: %2").arg(path, file.errorString());
            return result;
        }
        const QByteArray text = withoutCommentLines(file.readAll());
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            result.error = QStringLiteral("config file %1, line %2: %3")
                               .arg(path)
                               .arg(lineOf(text, parseError.offset))
                               .arg(parseError.errorString());
            return result;
        }
        if (!document.isObject()) {
            result.error = QStringLiteral("config file %1 is not a JSON object").arg(path);
            return result;
        }
        const QJsonObject object = document.object();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const Option *match = nullptr;
            for (const Option &option : options) {
                if (it.key() == QLatin1String(option.name))
                    match = &option;
            }
            if (!match) {
                result.error = QStringLiteral("config file %1: unknown option '%2'").arg(path, it.key());
                return result;
            }
            const auto values = fileValues(it.value());
            if (!values) {
                result.error = QStringLiteral("config file %1: '%2' has a value of the wrong type")
                                   .arg(path, it.key());
                return result;
            }
            if (!applier.apply(QStringLiteral("config file ") + path, *match, *values)) {
                result.error = applier.error;
                return result;
            }
        }
    }
    for (const Option &option : options) {
        const QString name = envName(option.name);
        if (environment.contains(name)
            && !applier.apply(QStringLiteral("the environment, ") + name, option, {environment.value(name)})) {
            result.error = applier.error;
            return result;
        }
    }
    for (const Option &option : options) {
        const QString name = QString::fromLatin1(option.name);
        const QStringList values = option.kind == Kind::Flag ? QStringList{QStringLiteral("true")}
                                                             : parser.values(name);
        if (parser.isSet(name) && !applier.apply(QStringLiteral("the command line"), option, values)) {
            result.error = applier.error;
            return result;
        }
    }
    for (const auto &[cert, key, loaded, flag] :
         {std::tuple{&config.tlsCertFile, &config.tlsKeyFile, &config.publicTls, "tls"},
          std::tuple{&config.adminTlsCertFile, &config.adminTlsKeyFile, &config.adminTls, "admin-tls"}}) {
        if (cert->isEmpty() != key->isEmpty()) {
            result.error = QStringLiteral("--%1-cert and --%1-key go together").arg(QLatin1String(flag));
            return result;
        }
        if (cert->isEmpty())
            continue;
        *loaded = TlsCredentials::load(*cert, *key, &result.error);
        if (!*loaded)
            return result;
    }
    if (config.testMode && (!config.dataDir.isEmpty() || !config.redisUrl.isEmpty())) {
        result.error = QStringLiteral("--test-mode keeps the history in memory: leave out --data-dir and --redis");
        return result;
    }
    if (config.publicTls)
        config.secureCookies = true;
    result.config = config;
    return result;
}
