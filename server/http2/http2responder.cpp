#include "http2responder.h"

#include "http2session.h"
#include "http2streamsink.h"

Http2Responder::Http2Responder(Http2Session *session, qint32 streamId)
    : m_session(session)
    , m_streamId(streamId)
{
}

void Http2Responder::respond(QHttpServerResponder::StatusCode status, const QByteArray &contentType,
                             const QByteArray &body, const HttpReply::Headers &headers)
{
    if (m_session)
        m_session->respond(m_streamId, int(status), contentType, body, headers);
}

std::unique_ptr<StreamSink> Http2Responder::startStream(const HttpReply::Headers &headers)
{
    if (!m_session)
        return nullptr;
    auto sink = std::make_unique<Http2StreamSink>(m_session, m_streamId);
    if (!m_session->startStream(m_streamId, headers, sink.get()))
        return nullptr;
    return sink;
}

QObject *Http2Responder::context() const
{
    return m_session;
}
