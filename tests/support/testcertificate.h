#pragma once

#include <QString>
#include <QStringList>

// Certificates made at test time with the openssl command (Debian openssl).
struct TestCertificate final
{
    // Runs openssl with the arguments in dir; true on exit code 0.
    static bool openssl(const QString &dir, const QStringList &arguments);
    // A self-signed P-256 certificate for localhost and 127.0.0.1, and its unencrypted key:
    // <name>.crt and <name>.key in dir.
    static bool make(const QString &dir, const QString &name, const QString &commonName = QStringLiteral("localhost"));
};
