#pragma once

#include <QList>
#include <QString>

// The one table of eventsource-cli's commands and options: parsing (CliOptions) and every
// help text come from it, so an option cannot exist without being documented.
class CommandTable final
{
public:
    enum class Command { Push, Pause, Connections, Nodes, Kick, Stats, Fault, Listen, Record, Play, Scenario, Token, HashPassword };
    enum class Kind { Flag, Text, List, Number };

    struct Option
    {
        const char *name; // without the leading "--"
        Kind kind;
        const char *valueName; // empty for a flag
        const char *help;
        qint64 minimum = 0;
        qint64 maximum = 0;
    };

    struct CommandSpec
    {
        Command command;
        const char *name;
        const char *arguments; // synopsis of the positional arguments
        int minArguments;
        int maxArguments;
        const char *summary;     // one line for the general help
        const char *description; // the command's own help, before its options
        QList<Option> options;
    };

    static const QList<Option> &globalOptions();
    static const QList<CommandSpec> &commands();
    static const CommandSpec *find(const QString &name);
    static const Option *findOption(const QList<Option> &options, const QString &name);

    static QString generalHelp();
    static QString commandHelp(const CommandSpec &spec);
};
