#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// The control channel's first message, server to console (docs/control-protocol.md).
struct ControlHello final
{
    int version = 0;
    bool authenticated = false;
    QStringList topics;
    // Only to an authenticated socket: the server's version, and the public listener's
    // stream URL, whose host is the listen address (0.0.0.0 or [::] when it listens on
    // every address: a console then puts the host it reached the admin listener at).
    QString serverVersion;
    QUrl streamUrl;
    bool testFaults = false; // the server takes fault requests (--test-faults)

    QJsonObject toJson() const;
    // Nullopt when it is not a hello.
    static std::optional<ControlHello> fromJson(const QJsonObject &message);
    // streamUrl with its any-address host replaced by the admin URL's host.
    QUrl streamUrlSeenFrom(const QUrl &adminUrl) const;
};
