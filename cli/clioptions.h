#pragma once

#include "commandtable.h"

#include <QByteArray>
#include <QHash>
#include <QProcessEnvironment>
#include <QStringList>
#include <QSslConfiguration>
#include <QUrl>

#include <optional>

// eventsource-cli's command line, parsed and checked against CommandTable: global options
// (before or after the command), then the command, its arguments and its options
// ("--name value" or "--name=value"; "--" ends the options). Defaults that come from the
// environment are resolved here, so the rest of the client never reads it.
class CliOptions final
{
public:
    struct Result; // below: it holds a CliOptions

    static Result parse(const QStringList &arguments, const QProcessEnvironment &environment);

    CommandTable::Command command() const { return m_command; }
    QString commandName() const { return m_commandName; }
    const QStringList &arguments() const { return m_arguments; }

    bool isSet(const QString &option) const { return m_values.contains(option); }
    // The last value given, or an empty string.
    QString value(const QString &option) const;
    QStringList values(const QString &option) const { return m_values.value(option); }
    // A Number option's value (already checked against its range), or fallback.
    qint64 number(const QString &option, qint64 fallback) const;

    QUrl adminUrl() const { return m_adminUrl; }
    QByteArray adminToken() const { return m_adminToken; }
    // For https:// (the admin API and listen): --ca-file and --insecure.
    const QSslConfiguration &tls() const { return m_tls; }
    QByteArray jwtSecret() const { return m_jwtSecret; }
    // --output json, or --json on the commands where it means the output.
    bool jsonOutput() const;

private:
    // Checks a command's own rules once the generic parse succeeded; an error or empty.
    QString validate(const QProcessEnvironment &environment);

    CommandTable::Command m_command = CommandTable::Command::Push;
    QString m_commandName;
    QStringList m_arguments;
    QHash<QString, QStringList> m_values;
    QUrl m_adminUrl;
    QByteArray m_adminToken;
    QSslConfiguration m_tls;
    QByteArray m_jwtSecret;
};

struct CliOptions::Result
{
    std::optional<CliOptions> options; // set when a command is to run
    QString helpText;                  // set when help was asked for
    bool versionRequested = false;
    QString error; // a usage error; never quotes a token or a secret
};
