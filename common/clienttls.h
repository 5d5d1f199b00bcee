#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

// How the CLI and the console trust an https:// or wss:// server: the system's CAs, plus
// the certificates of a CA file (a self-signed test certificate, a private CA); or not at
// all with insecure (anyone on the path can then read and change the traffic, the admin
// token included: for a test bench only).
struct ClientTls final
{
    QString caFile;
    bool insecure = false;

    // Nullopt, with *error, when the CA file cannot be read or holds no PEM certificate.
    std::optional<QSslConfiguration> configuration(QString *error) const;
};
