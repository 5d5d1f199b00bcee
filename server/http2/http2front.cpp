#include "http2front.h"


Http2Front::Http2Front(Http2Session::Options options, Http2Session::Handler handler, HttpLimitStats *stats,
                       QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_handler(std::move(handler))
    , m_stats(stats)
{
}

void Http2Front::serve(ByteStream *connection)
{
    auto *session = new Http2Session(connection, m_options, m_handler, m_stats);
    m_sessions.insert(session);
    connect(session, &QObject::destroyed, this, [this, session] {
        m_sessions.remove(session);
        if (m_shuttingDown && m_sessions.isEmpty())
            Q_EMIT drained();
    });
    if (m_shuttingDown)
        session->shutdown();
}

void Http2Front::shutdown()
{
    m_shuttingDown = true;
    for (Http2Session *session : std::as_const(m_sessions))
        session->shutdown();
}
