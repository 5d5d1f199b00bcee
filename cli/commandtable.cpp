#include "commandtable.h"

#include "faultrequest.h"
#include "passwordhash.h"

#include <climits>

namespace {

using Kind = CommandTable::Kind;
using Option = CommandTable::Option;

const Option outputOption{"output", Kind::Text, "FORMAT",
                          "text (default) or json: the server's JSON answer as it came."};

constexpr int helpColumn = 27;
constexpr int helpWidth = 88;

// "  --name VALUE   help", the help wrapped at helpWidth under its own column.
QString optionLine(const Option &option)
{
    const QString flag = QStringLiteral("--%1 %2").arg(QString::fromLatin1(option.name),
                                                       QString::fromLatin1(option.valueName)).trimmed();
    QString help = QString::fromLatin1(option.help);
    if (option.kind == Kind::List)
        help += QStringLiteral(" Repeatable.");
    QString text = QStringLiteral("  %1 ").arg(flag, -24);
    qsizetype column = text.size();
    for (const QString &word : help.split(u' ', Qt::SkipEmptyParts)) {
        if (column > helpColumn && column + 1 + word.size() > helpWidth) {
            text += u'\n' + QString(helpColumn, u' ');
            column = helpColumn;
        } else if (column > helpColumn) {
            text += u' ';
            ++column;
        }
        text += word;
        column += word.size();
    }
    return text + u'\n';
}

QString globalOptionsHelp()
{
    QString text = QStringLiteral("Global options (before or after the command):\n");
    for (const Option &option : CommandTable::globalOptions())
        text += optionLine(option);
    text += QStringLiteral("  -h, --help               Show help (also: eventsource-cli help COMMAND).\n"
                           "  -v, --version            Show the version.\n");
    return text;
}

} // namespace

const QList<Option> &CommandTable::globalOptions()
{
    static const QList<Option> options{
        {"admin-url", Kind::Text, "URL",
         "Admin API of the server. Default: EVENTSOURCE_ADMIN_URL, else http://127.0.0.1:8081."},
        {"admin-token", Kind::Text, "TOKEN",
         "Admin bearer token. Default: EVENTSOURCE_ADMIN_TOKEN (prefer it: flags show in ps)."},
        {"ca-file", Kind::Text, "FILE",
         "Also trust the PEM CA certificate(s) in FILE for https:// (a self-signed or private CA)."},
        {"insecure", Kind::Flag, "",
         "Do not check the server's certificate for https://: anyone on the way can read and "
         "change the traffic, the admin token too. For test benches only."},
    };
    return options;
}

const QList<CommandTable::CommandSpec> &CommandTable::commands()
{
    static const QList<CommandSpec> table{
        {Command::Push, "push", "[DATA|-]", 0, 1, "Publish an event (POST /api/push).",
         "Publishes DATA as the data of one event. Without DATA, or with -, the data is read\n"
         "from stdin (one trailing newline is dropped). Targets form a union: the event reaches\n"
         "every stream matching any of them; without a target it reaches everyone. Users and\n"
         "groups match by id or by name. Prints id=<event id> delivered=<streams reached>.\n",
         {{"event", Kind::Text, "NAME", "Event name (the stream's event: field). Default: a plain message."},
          {"json", Kind::Flag, "", "DATA is JSON text, sent as a JSON value (and JSON-encoded on the wire)."},
          {"session", Kind::List, "ID", "Target the stream(s) of this session."},
          {"user", Kind::List, "ID", "Target this user (id or name)."},
          {"group", Kind::List, "ID", "Target this group (id or name)."},
          outputOption}},
        {Command::Pause, "pause", "DELAY_MS", 1, 1, "Send streams away for a while (POST /api/pause).",
         "Matching streams receive retry: DELAY_MS and are closed, so browsers come back after\n"
         "the delay. Without a target every stream is paused. Prints paused=<n> delay=<ms>.\n",
         {{"session", Kind::List, "ID", "Pause the stream(s) of this session."},
          {"user", Kind::List, "ID", "Pause this user's streams (id or name)."},
          {"group", Kind::List, "ID", "Pause this group's streams (id or name)."},
          {"except-group", Kind::List, "ID", "Spare the streams of this group (id or name)."},
          outputOption}},
        {Command::Connections, "connections", "", 0, 0, "List open streams (GET /api/connections).",
         "Prints a table: ID, USER, GROUPS, SESSION, REMOTE, FILTER (event names the stream\n"
         "asked for, * for all), EVENTS (events sent) and SINCE (local time it connected);\n"
         "in a cluster NODE too, and the streams of every node.\n",
         {{"user", Kind::Text, "ID", "Only streams of this user (id or name)."},
          {"group", Kind::Text, "ID", "Only streams of this group (id or name)."},
          {"json", Kind::Flag, "", "Print the server's JSON answer (same as --output json)."},
          outputOption}},
        {Command::Nodes, "nodes", "", 0, 0, "List the cluster's nodes (GET /api/nodes).",
         "Prints a table: NODE, STREAMS (open on it) and HEARTBEAT (local time of its last one).\n"
         "A standalone server is one node, \"standalone\".\n",
         {{"json", Kind::Flag, "", "Print the server's JSON answer (same as --output json)."},
          outputOption}},
        {Command::Kick, "kick", "ID", 1, 1, "Close one stream (DELETE /api/connections/ID).",
         "Closes the stream with this id (see connections). Prints closed=<id>, or sent=<id>\n"
         "when another node of the cluster holds it.\n",
         {outputOption}},
        {Command::Stats, "stats", "", 0, 0, "Show the server's counters (GET /api/stats).",
         "Prints one aligned \"key: value\" line per counter (history.size for nested ones).\n",
         {{"json", Kind::Flag, "", "Print the server's JSON answer (same as --output json)."},
          outputOption}},
        {Command::Fault, "fault", "TYPE|list|remove [ID]", 1, 2,
         "Inject a test fault, list or remove faults (/api/faults).",
         "Only on a server started with --test-faults. TYPE is one of:\n"
         "  stall      the streams get no bytes for --duration-ms, then everything they missed\n"
         "  cut        the next event is cut in the middle of its frame and the stream closed\n"
         "  reject     the next --count stream requests of the sessions get --status\n"
         "  duplicate  the next event is sent twice with the same id\n"
         "  malformed  the next event comes after a malformed field line\n"
         "It applies to one stream (--connection), to the targets given (a union), or without\n"
         "either to every stream; it ends when applied, after --expires-in, or when removed.\n"
         "Prints id=<fault id> affected=<streams>. fault list prints a table of the faults\n"
         "with what they still apply to; fault remove ID withdraws one.\n",
         {{"connection", Kind::Text, "ID", "The stream (see connections); for reject, its session."},
          {"session", Kind::List, "ID", "The stream(s) of this session."},
          {"user", Kind::List, "ID", "This user's streams (id or name)."},
          {"group", Kind::List, "ID", "This group's streams (id or name)."},
          {"duration-ms", Kind::Number, "N", "stall: how long. Required for stall.", 1, FaultRequest::maxDurationMs},
          {"status", Kind::Number, "CODE", "reject: 204, 401, 429 or 503. Required for reject.", 100, 599},
          {"count", Kind::Number, "N", "reject: how many stream requests. Default 1.", 1, FaultRequest::maxCount},
          {"retry-after", Kind::Number, "SECONDS", "reject with 429 or 503: the Retry-After header.", 0,
           FaultRequest::maxRetryAfterS},
          {"expires-in", Kind::Number, "SECONDS", "Withdraw the fault after SECONDS. Default 600.", 1,
           FaultRequest::maxExpiresInS},
          outputOption}},
        {Command::Listen, "listen", "URL", 1, 1, "Subscribe to a stream and print its events.",
         "An EventSource test client: GETs URL (e.g. http://127.0.0.1:8080/eventsource/a,b)\n"
         "with Accept: text/event-stream and prints one line per event as it arrives:\n"
         "  id=<last event id> event=<type> data=<data, each newline shown as \\n>\n"
         "A status other than 200 is an error. Runs until interrupted, --count is reached or\n"
         "the stream ends (an error unless --reconnect). The admin options are not used.\n",
         {{"last-event-id", Kind::Text, "ID", "Send Last-Event-ID: replay the events after ID."},
          {"token", Kind::Text, "JWT", "Send Authorization: Bearer JWT (see the token command)."},
          {"count", Kind::Number, "N", "Exit 0 after N events.", 1, INT_MAX},
          {"reconnect", Kind::Flag, "",
           "When the stream ends, reconnect like a browser after the server's retry: delay (3000 ms "
           "if it sent none), with Last-Event-ID."},
          {"output", Kind::Text, "FORMAT",
           "text (default) or json: one {\"id\",\"event\",\"data\"} object per line."}}},
        {Command::Record, "record", "URL", 1, 1, "Record what a stream receives to an NDJSON file.",
         "Subscribes to URL like listen and writes one line per event to --out:\n"
         "  {\"at\": <ms since the recording started>, \"id\": ..., \"event\": <type, null for a\n"
         "   plain message>, \"data\": ...}\n"
         "Each line is written as the event arrives, so an interrupted recording keeps what it\n"
         "heard. play publishes such a file again; a session recorded against one hub replays\n"
         "against another. Prints recorded=<n> when --count is reached. The admin options are not used.\n",
         {{"out", Kind::Text, "FILE", "The file to write (replaced), or - for stdout. Required."},
          {"last-event-id", Kind::Text, "ID", "Send Last-Event-ID: start with the events after ID."},
          {"token", Kind::Text, "JWT", "Send Authorization: Bearer JWT."},
          {"count", Kind::Number, "N", "Stop after N events.", 1, INT_MAX},
          {"reconnect", Kind::Flag, "", "When the stream ends, reconnect as listen --reconnect does."}}},
        {Command::Play, "play", "FILE", 1, 1, "Publish a recording again, with its spacing (POST /api/push).",
         "Reads an NDJSON recording (see record) and publishes its events in order, each after\n"
         "the recorded gap divided by --speed (and after the one before it is answered). The\n"
         "hub gives them new ids. Prints id=<new id> delivered=<n> per event and played=<n> at\n"
         "the end; a refused publish stops it (exit 1). A bad file is a usage error naming the line.\n",
         {{"speed", Kind::Text, "X", "Play X times faster (0.5: twice slower). Default 1."},
          {"loop", Kind::Flag, "", "Start over after the last event, until interrupted."},
          outputOption}},
        {Command::Scenario, "scenario", "FILE", 1, 1, "Run a scenario: steps and expectations against a hub.",
         "Reads FILE, one JSON step per line (# starts a comment line): open and close test\n"
         "clients, publish, wait, pause, fault, reset, and expect what test clients receive\n"
         "(events, count, no-event, gap, closed, refused, reconnected); see README,\n"
         "\"Scenarios\", and resources/scenarios/. Steps run in order over the control channel;\n"
         "test clients open the hub's stream URL. Prints one line per step, PASS or FAIL with\n"
         "why; the first failure ends the run (the rest are SKIP). Exit 0 when every step\n"
         "passed, 1 otherwise, 2 for a file that does not read.\n",
         {{"stream-url", Kind::Text, "URL",
           "The hub's stream endpoint for test clients. Default: the one the hub announces."}}},
        {Command::Token, "token", "", 0, 0, "Mint a test JWT (HS256) for stream identity.",
         "Prints a token signed with the server's --jwt-secret, with the claims sub, name,\n"
         "groups, sid, iat and exp. Use it with listen --token or an Authorization header.\n",
         {{"secret", Kind::Text, "SECRET",
           "HS256 secret. Default: EVENTSOURCE_JWT_SECRET (prefer it: flags show in ps)."},
          {"user", Kind::Text, "ID", "The user id (\"sub\" claim). Required."},
          {"name", Kind::Text, "NAME", "The user name (\"name\" claim)."},
          {"group", Kind::List, "NAME", "A group name (\"groups\" claim)."},
          {"sid", Kind::Text, "ID", "The session id (\"sid\" claim)."},
          {"ttl", Kind::Number, "SECONDS", "Lifetime: exp = now + SECONDS; 0 = no exp. Default 3600.",
           0, INT_MAX}}},
        {Command::HashPassword, "hash-password", "", 0, 0, "Hash a password for the --users file.",
         "Reads one password line from stdin and prints its PBKDF2-SHA256 hash, the form the\n"
         "server's user directory (--users FILE) expects.\n",
         {{"iterations", Kind::Number, "N", "PBKDF2 rounds. Default 100000.",
           PasswordHash::minIterations, PasswordHash::maxIterations}}},
    };
    return table;
}

const CommandTable::CommandSpec *CommandTable::find(const QString &name)
{
    for (const CommandSpec &spec : commands()) {
        if (name == QLatin1String(spec.name))
            return &spec;
    }
    return nullptr;
}

const Option *CommandTable::findOption(const QList<Option> &options, const QString &name)
{
    for (const Option &option : options) {
        if (name == QLatin1String(option.name))
            return &option;
    }
    return nullptr;
}

QString CommandTable::generalHelp()
{
    QString text = QStringLiteral(
        "Usage: eventsource-cli [global options] COMMAND [arguments] [options]\n"
        "Command-line client for EventSource Hub: publish, pause and inspect through the\n"
        "admin API, listen to streams, mint test tokens and hash passwords.\n\n"
        "Commands:\n");
    for (const CommandSpec &spec : commands()) {
        const QString synopsis = QStringLiteral("%1 %2").arg(QString::fromLatin1(spec.name),
                                                            QString::fromLatin1(spec.arguments)).trimmed();
        text += QStringLiteral("  %1 %2\n").arg(synopsis, -24).arg(QString::fromLatin1(spec.summary));
    }
    text += QStringLiteral("  %1 %2\n\n").arg(QStringLiteral("help [COMMAND]"), -24)
                .arg(QStringLiteral("Show the help of one command."));
    text += globalOptionsHelp();
    text += QStringLiteral(
        "\nEnvironment: EVENTSOURCE_ADMIN_URL, EVENTSOURCE_ADMIN_TOKEN, EVENTSOURCE_JWT_SECRET\n"
        "(flags win over the environment).\n"
        "Exit status: 0 success; 1 the server answered an error or could not be reached;\n"
        "2 usage error (unknown command or option, missing argument, bad number).\n");
    return text;
}

QString CommandTable::commandHelp(const CommandSpec &spec)
{
    QString text = QStringLiteral("Usage: eventsource-cli %1 %2 [options]\n")
                       .arg(QString::fromLatin1(spec.name), QString::fromLatin1(spec.arguments))
                       .replace(QStringLiteral("  "), QStringLiteral(" "));
    text += QString::fromLatin1(spec.summary) + u'\n' + u'\n' + QString::fromLatin1(spec.description);
    if (!spec.options.isEmpty()) {
        text += QStringLiteral("\nOptions:\n");
        for (const Option &option : spec.options)
            text += optionLine(option);
    }
    text += u'\n' + globalOptionsHelp();
    return text;
}
