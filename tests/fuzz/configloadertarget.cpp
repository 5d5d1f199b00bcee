#include "fuzztargets.h"

#include "configloader.h"
#include "fuzzcheck.h"

#include <sys/mman.h>
#include <unistd.h>

namespace {

// The config file lives in memory: one memfd, rewritten for each input and opened by
// ConfigLoader through /proc like any path, so millions of inputs never touch the disk.
QString memoryFile(const QByteArray &body)
{
    static const int fd = memfd_create("fuzz-config", 0);
    FuzzTargets::check(fd >= 0, "memfd_create failed");
    FuzzTargets::check(ftruncate(fd, 0) == 0
                           && pwrite(fd, body.constData(), size_t(body.size()), 0) == body.size(),
                       "cannot write the config file");
    return QStringLiteral("/proc/self/fd/%1").arg(fd);
}

bool isCookieName(const QString &name)
{
    return !name.isEmpty() && std::all_of(name.begin(), name.end(), [](QChar c) {
        return c.isLetterOrNumber() || c == u'_' || c == u'-';
    });
}

// The bounds README.md and --help promise, restated rather than taken from the option table.
void checkBounds(const ServerConfig &config)
{
    using FuzzTargets::check;
    check(config.heartbeatMs >= 100, "heartbeat-ms below 100");
    check(config.retryMs >= 0, "retry-ms negative");
    check(config.historySize >= 0 && config.historySize <= 10'000'000, "history-size out of bounds");
    check(config.maxConnections >= 1, "max-connections below 1");
    check(config.maxBufferKb >= 1 && config.maxBufferKb <= 1 << 20, "max-buffer-kb out of bounds");
    check(config.maxEventKb >= 1 && config.maxEventKb <= 1 << 16, "max-event-kb out of bounds");
    check(config.maxHeaderKb >= 1 && config.maxHeaderKb <= 1024, "max-header-kb out of bounds");
    check(config.requestTimeoutMs >= 100, "request-timeout-ms below 100");
    check(config.initialPadding >= 0 && config.initialPadding <= 65536, "initial-padding out of bounds");
    check(config.sendThreads >= -1 && config.sendThreads <= 16, "send-threads out of bounds");
    check(config.path.startsWith(u'/') && !config.path.contains(u'?') && !config.path.contains(u'#')
              && (config.path.size() == 1 || !config.path.endsWith(u'/')),
          "path is not a base path");
    check(isCookieName(config.jwtCookie) && isCookieName(config.sessionCookie), "bad cookie name");
    check(!config.adminToken.contains(u' '), "admin token with a space");
    for (const QString &origin : config.allowOrigins)
        check(!origin.isEmpty() && origin == origin.trimmed(), "empty or padded origin");
}

} // namespace

bool FuzzTargets::configLoader(const uint8_t *data, size_t size)
{
    const QList<QByteArray> parts = bytes(data, size).split('\0');
    QStringList arguments{QStringLiteral("eventsource-server")};
    if (!parts.first().isEmpty())
        arguments << QStringLiteral("--config") << memoryFile(parts.first());
    QProcessEnvironment environment;
    bool commandLineSetsRetry = false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QString part = QString::fromUtf8(parts.at(i));
        // The config file is the one above: another path could name a file that never ends
        // (/dev/zero) or blocks (a FIFO).
        if (part.contains(QLatin1String("config"), Qt::CaseInsensitive))
            continue;
        const qsizetype equals = part.indexOf(u'=');
        if (equals > 0 && !part.startsWith(u'-')) {
            environment.insert(QStringLiteral("EVENTSOURCE_") + part.first(equals), part.sliced(equals + 1));
        } else {
            arguments << part;
            commandLineSetsRetry = commandLineSetsRetry || part.contains(QLatin1String("retry-ms"));
        }
    }

    const ConfigLoader::Result result = ConfigLoader::load(arguments, environment);
    check(int(result.config.has_value()) + int(!result.error.isEmpty()) + int(!result.helpText.isEmpty())
                  + int(result.versionRequested) + int(result.hashPasswordRequested)
              == 1,
          "not exactly one outcome");
    if (!result.config)
        return false;
    checkBounds(*result.config);

    // A flag wins over the file and the environment; one given later on the command line
    // wins over it in turn.
    arguments.insert(1, QStringLiteral("--retry-ms"));
    arguments.insert(2, QStringLiteral("4321"));
    const ConfigLoader::Result flagged = ConfigLoader::load(arguments, environment);
    check(flagged.config.has_value(), "a valid flag made a valid config invalid");
    // commandLineSetsRetry may also be a value that merely mentions retry-ms.
    check(flagged.config->retryMs == 4321
              || (commandLineSetsRetry && flagged.config->retryMs == result.config->retryMs),
          "a flag did not win over the file and the environment");
    return true;
}
