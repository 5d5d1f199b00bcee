#pragma once

#include "serverconfig.h"

#include <QProcessEnvironment>
#include <QStringList>

#include <optional>

// Builds a ServerConfig from, in rising precedence, the JSON config file (--config or
// EVENTSOURCE_CONFIG), EVENTSOURCE_<NAME> environment variables and command-line flags.
// The option names are the same in all three: "--max-buffer-kb", EVENTSOURCE_MAX_BUFFER_KB
// and "max-buffer-kb" in the file.
class ConfigLoader final
{
public:
    struct Result
    {
        std::optional<ServerConfig> config;
        QString error;        // set when config is empty and not a help/version request
        QString helpText;     // set for --help
        bool versionRequested = false;
        bool hashPasswordRequested = false; // --hash-password: read one from stdin, print its hash
    };

    static Result load(const QStringList &arguments, const QProcessEnvironment &environment);
    static QString helpText();
};
