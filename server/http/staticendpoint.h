#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

class PublicRequest;
class PublicResponder;

// The fixed files of the public listener, built into the binary: GET /eventsource-hub.js (the
// client helper, resources/js/) always, and with --demo the demo page, GET /demo with its
// script and style (resources/demo/). They are read once, at start; the page learns the
// stream path from a meta tag. They take precedence over a stream path of "/".
class StaticEndpoint final
{
public:
    StaticEndpoint(bool demo, const QString &streamPath);

    bool handles(const QString &path) const { return m_files.contains(path); }
    void handle(const PublicRequest &request, PublicResponder &responder) const;

private:
    struct File
    {
        QByteArray contentType;
        QByteArray body;
    };

    void add(const QString &path, const QString &resource, const QByteArray &contentType);

    QHash<QString, File> m_files;
};
