#include "clioptions.h"

#include "clienttls.h"

#include <algorithm>
#include <climits>

namespace {

using Command = CommandTable::Command;
using Kind = CommandTable::Kind;

const QLatin1String defaultAdminUrl("http://127.0.0.1:8081");

bool isAdminCommand(Command command)
{
    return command == Command::Push || command == Command::Pause || command == Command::Connections
        || command == Command::Nodes || command == Command::Kick || command == Command::Stats
        || command == Command::Fault || command == Command::Play || command == Command::Scenario;
}

// Bearer credentials go into a header: visible ASCII only, so nothing can split the header.
bool isHeaderSafe(const QByteArray &credential)
{
    return std::all_of(credential.begin(), credential.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// A URL as errors may show it: never its user info or query (which may hold a token).
QString shown(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toDisplayString();
}

std::optional<QUrl> httpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return std::nullopt;
    return url;
}

} // namespace

QString CliOptions::value(const QString &option) const
{
    const QStringList list = m_values.value(option);
    return list.isEmpty() ? QString() : list.last();
}

qint64 CliOptions::number(const QString &option, qint64 fallback) const
{
    return isSet(option) ? value(option).trimmed().toLongLong() : fallback;
}

bool CliOptions::jsonOutput() const
{
    const bool jsonMeansOutput =
        m_command == Command::Connections || m_command == Command::Nodes || m_command == Command::Stats;
    return value(QStringLiteral("output")) == QLatin1String("json")
        || (jsonMeansOutput && isSet(QStringLiteral("json")));
}

CliOptions::Result CliOptions::parse(const QStringList &arguments, const QProcessEnvironment &environment)
{
    Result result;
    CliOptions options;
    const CommandTable::CommandSpec *spec = nullptr;
    bool helpRequested = false;
    bool helpCommand = false;
    QStringList helpTopics;
    bool optionsEnded = false;
    QString error; // the first one; parsing goes on so that --help still wins
    const auto fail = [&error](const QString &message) {
        if (error.isEmpty())
            error = message;
    };

    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (!optionsEnded && argument == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        if (optionsEnded || !argument.startsWith(u'-') || argument == QLatin1String("-")) {
            if (helpCommand) {
                helpTopics.append(argument);
            } else if (spec) {
                options.m_arguments.append(argument);
            } else if (argument == QLatin1String("help")) {
                helpCommand = true;
            } else if (!(spec = CommandTable::find(argument))) {
                fail(QStringLiteral("unknown command '%1'").arg(argument));
                break;
            }
            continue;
        }
        if (argument == QLatin1String("-h") || argument == QLatin1String("--help")) {
            helpRequested = true;
            continue;
        }
        if (argument == QLatin1String("-v") || argument == QLatin1String("--version")) {
            result.versionRequested = true;
            continue;
        }
        // Only the name is ever quoted back: what follows "=" may be a token.
        const qsizetype equals = argument.indexOf(u'=');
        const QString name = argument.mid(2, equals < 0 ? -1 : equals - 2);
        const CommandTable::Option *option = nullptr;
        if (argument.startsWith(QLatin1String("--"))) {
            option = CommandTable::findOption(CommandTable::globalOptions(), name);
            if (!option && spec)
                option = CommandTable::findOption(spec->options, name);
        }
        if (!option) {
            const QString shownName = argument.startsWith(QLatin1String("--")) ? QStringLiteral("--") + name
                                                                                : argument.left(2);
            fail(spec ? QStringLiteral("unknown option '%1' for %2").arg(shownName, QLatin1String(spec->name))
                      : QStringLiteral("unknown option '%1' (command options go after the command)")
                            .arg(shownName));
            continue;
        }
        const QString flag = QStringLiteral("--") + name;
        if (option->kind == Kind::Flag) {
            if (equals >= 0)
                fail(QStringLiteral("%1 takes no value").arg(flag));
            options.m_values.insert(name, {QStringLiteral("true")});
            continue;
        }
        QString value;
        if (equals >= 0) {
            value = argument.mid(equals + 1);
        } else if (i + 1 < arguments.size()) {
            value = arguments.at(++i);
        } else {
            fail(QStringLiteral("%1 needs a value (%2)").arg(flag, QLatin1String(option->valueName)));
            continue;
        }
        if (value.isEmpty()) {
            fail(QStringLiteral("%1 must not be empty").arg(flag));
            continue;
        }
        if (option->kind == Kind::Number) {
            bool ok = false;
            const qint64 number = value.trimmed().toLongLong(&ok);
            if (!ok || number < option->minimum || number > option->maximum) {
                fail(QStringLiteral("%1 must be a whole number from %2 to %3, got '%4'")
                         .arg(flag).arg(option->minimum).arg(option->maximum).arg(value.left(32)));
                continue;
            }
        }
        if (option->kind == Kind::List)
            options.m_values[name].append(value);
        else
            options.m_values.insert(name, {value});
    }

    if (helpRequested || helpCommand) {
        if (helpTopics.size() > 1) {
            result.error = QStringLiteral("help takes one command");
        } else if (!helpTopics.isEmpty()) {
            if (const CommandTable::CommandSpec *topic = CommandTable::find(helpTopics.first()))
                result.helpText = CommandTable::commandHelp(*topic);
            else
                result.error = QStringLiteral("unknown command '%1'").arg(helpTopics.first());
        } else {
            result.helpText = spec ? CommandTable::commandHelp(*spec) : CommandTable::generalHelp();
        }
        result.versionRequested = false;
        return result;
    }
    if (result.versionRequested && error.isEmpty())
        return result;
    result.versionRequested = false;
    if (!error.isEmpty()) {
        result.error = error;
        return result;
    }
    if (!spec) {
        result.error = QStringLiteral("no command given");
        return result;
    }
    options.m_command = spec->command;
    options.m_commandName = QString::fromLatin1(spec->name);
    if (options.m_arguments.size() < spec->minArguments) {
        result.error = QStringLiteral("%1 needs %2").arg(options.m_commandName, QLatin1String(spec->arguments));
        return result;
    }
    if (options.m_arguments.size() > spec->maxArguments) {
        result.error = QStringLiteral("unexpected argument '%1' for %2")
                           .arg(options.m_arguments.at(spec->maxArguments).left(64), options.m_commandName);
        return result;
    }
    result.error = options.validate(environment);
    if (result.error.isEmpty())
        result.options = options;
    return result;
}

QString CliOptions::validate(const QProcessEnvironment &environment)
{
    const QString output = value(QStringLiteral("output"));
    if (!output.isEmpty() && output != QLatin1String("text") && output != QLatin1String("json"))
        return QStringLiteral("--output must be text or json, got '%1'").arg(output.left(32));

    QString tlsError;
    const std::optional<QSslConfiguration> tls =
        ClientTls{value(QStringLiteral("ca-file")), isSet(QStringLiteral("insecure"))}.configuration(&tlsError);
    if (!tls)
        return QStringLiteral("--ca-file ") + tlsError;
    m_tls = *tls;

    if (isAdminCommand(m_command)) {
        const QString urlText = isSet(QStringLiteral("admin-url"))
            ? value(QStringLiteral("admin-url"))
            : environment.value(QStringLiteral("EVENTSOURCE_ADMIN_URL"), defaultAdminUrl);
        const std::optional<QUrl> url = httpUrl(urlText.isEmpty() ? QString(defaultAdminUrl) : urlText);
        if (!url || url.value().hasQuery() || url.value().hasFragment())
            return QStringLiteral("the admin URL must be http://HOST:PORT or https://HOST:PORT, got '%1'")
                .arg(url ? shown(*url) : urlText.left(64));
        m_adminUrl = *url;
        m_adminToken = (isSet(QStringLiteral("admin-token"))
                            ? value(QStringLiteral("admin-token"))
                            : environment.value(QStringLiteral("EVENTSOURCE_ADMIN_TOKEN"))).toUtf8();
        if (m_adminToken.isEmpty())
            return QStringLiteral("no admin token: use --admin-token or EVENTSOURCE_ADMIN_TOKEN");
        if (!isHeaderSafe(m_adminToken))
            return QStringLiteral("the admin token must be printable ASCII without spaces");
    }

    switch (m_command) {
    case CommandTable::Command::Pause: {
        bool ok = false;
        const qint64 delay = m_arguments.first().toLongLong(&ok);
        if (!ok || delay < 0 || delay > INT_MAX)
            return QStringLiteral("pause: DELAY_MS must be a whole number of milliseconds, got '%1'")
                .arg(m_arguments.first().left(32));
        break;
    }
    case CommandTable::Command::Kick:
        if (m_arguments.first().isEmpty())
            return QStringLiteral("kick needs a connection ID");
        break;
    case CommandTable::Command::Listen:
    case CommandTable::Command::Record: {
        const std::optional<QUrl> url = httpUrl(m_arguments.first());
        if (!url)
            return QStringLiteral("%1: URL must be an http:// or https:// URL, got '%2'")
                .arg(m_commandName, shown(QUrl(m_arguments.first())).left(200));
        if (!isHeaderSafe(value(QStringLiteral("token")).toUtf8()))
            return QStringLiteral("%1: --token must be printable ASCII without spaces").arg(m_commandName);
        if (value(QStringLiteral("last-event-id")).contains(QChar(0))
            || value(QStringLiteral("last-event-id")).contains(u'\n')
            || value(QStringLiteral("last-event-id")).contains(u'\r'))
            return QStringLiteral("%1: --last-event-id must not contain CR, LF or NUL").arg(m_commandName);
        if (m_command == CommandTable::Command::Record && value(QStringLiteral("out")).isEmpty())
            return QStringLiteral("record needs --out FILE (or --out - for stdout)");
        break;
    }
    case CommandTable::Command::Scenario:
        if (isSet(QStringLiteral("stream-url")) && !httpUrl(value(QStringLiteral("stream-url"))))
            return QStringLiteral("scenario: --stream-url must be an http:// or https:// URL");
        break;
    case CommandTable::Command::Play: {
        if (isSet(QStringLiteral("speed"))) {
            bool ok = false;
            const double speed = value(QStringLiteral("speed")).toDouble(&ok);
            if (!ok || !(speed >= 0.001 && speed <= 1000))
                return QStringLiteral("play: --speed must be a number from 0.001 to 1000, got '%1'")
                    .arg(value(QStringLiteral("speed")).left(32));
        }
        break;
    }
    case CommandTable::Command::Token:
        m_jwtSecret = (isSet(QStringLiteral("secret")) ? value(QStringLiteral("secret"))
                                                       : environment.value(QStringLiteral("EVENTSOURCE_JWT_SECRET")))
                          .toUtf8();
        if (m_jwtSecret.isEmpty())
            return QStringLiteral("token needs a secret: use --secret or EVENTSOURCE_JWT_SECRET");
        if (!isSet(QStringLiteral("user")))
            return QStringLiteral("token needs --user ID (the \"sub\" claim)");
        break;
    default:
        break;
    }
    return {};
}
