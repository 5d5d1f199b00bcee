#pragma once

#include "http2session.h"

#include <QObject>
#include <QSet>

// The HTTP/2 side of the public listener: takes over the connections that negotiated h2
// (ALPN) or opened with its preface (h2c), one Http2Session each, and shuts them all down
// gracefully with the server.
class Http2Front final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http2Front)

public:
    Http2Front(Http2Session::Options options, Http2Session::Handler handler, HttpLimitStats *stats,
               QObject *parent = nullptr);

    // The connection's next bytes are the client's connection preface.
    void serve(ByteStream *connection);
    // Each session says GOAWAY once its streams have ended; drained() once all are gone.
    void shutdown();
    qsizetype sessionCount() const { return m_sessions.size(); }

Q_SIGNALS:
    void drained();

private:
    Http2Session::Options m_options;
    Http2Session::Handler m_handler;
    HttpLimitStats *m_stats;
    QSet<Http2Session *> m_sessions;
    bool m_shuttingDown = false;
};
