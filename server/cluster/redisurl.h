#pragma once

#include <QString>

#include <optional>

// Where a Redis is and how to log in: redis://[user:password@]host:port[/db] or
// unix:///path/to/socket[?db=N] (user and password percent-encoded, as in a URL).
struct RedisUrl final
{
    QString host;       // empty for a Unix socket
    int port = 6379;
    QString socketPath; // set for unix://
    QString user;       // empty: AUTH with the password alone (Redis < 6 style)
    QString password;   // empty: no AUTH
    int db = 0;

    // The URL without its password, for logs and /health.
    QString display() const;
    // Nothing and an error for anything else than the two forms above.
    static std::optional<RedisUrl> parse(const QString &text, QString *error);
};
