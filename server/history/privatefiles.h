#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// The data dir holds what other local users must not read: the history (targeted events,
// session digests), the admin token and the history key. The dir is 0700 and every file in
// it 0600 from the moment it is created (the process runs with umask 077, and files are
// opened with their mode); a dir or file found looser is tightened, with a warning.
struct PrivateFiles final
{
    // Creates dir (0700) or tightens it and what it holds; an error text on failure.
    static QString secureDir(const QString &dir);
    // Writes bytes to a new or truncated file with mode 0600; an error text on failure.
    static QString write(const QString &path, const QByteArray &bytes);
    // The file's contents, or a new random secret of `bytes` bytes written to it (0600).
    static std::optional<QByteArray> readOrCreateSecret(const QString &path, int bytes, QString *error);
};
