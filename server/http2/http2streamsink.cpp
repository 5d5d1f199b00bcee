#include "http2streamsink.h"

#include "http2session.h"

#include <QTimer>

#include <nghttp2/nghttp2.h>

#include <cstring>

Http2StreamSink::Http2StreamSink(Http2Session *session, qint32 streamId, QObject *parent)
    : StreamSink(parent)
    , m_session(session)
    , m_streamId(streamId)
{
}

Http2StreamSink::~Http2StreamSink()
{
    if (!m_finished && m_session)
        m_session->resetStream(m_streamId, NGHTTP2_CANCEL);
}

void Http2StreamSink::queue(const QByteArray &bytes)
{
    if (m_finished || m_closing || bytes.isEmpty())
        return;
    m_chunks.push_back(bytes);
    m_queued += bytes.size();
}

void Http2StreamSink::settle()
{
    if (!m_finished && m_queued > 0 && m_session)
        m_session->resumeStream(m_streamId);
}

void Http2StreamSink::closeWhenSent(int graceMs)
{
    if (m_finished || m_closing)
        return;
    m_closing = true;
    if (!m_session) {
        finish();
        return;
    }
    m_session->resumeStream(m_streamId);
    QTimer::singleShot(graceMs, this, &Http2StreamSink::abort);
}

void Http2StreamSink::abort()
{
    if (m_finished)
        return;
    if (m_session)
        m_session->resetStream(m_streamId, NGHTTP2_CANCEL);
    finish();
}

qsizetype Http2StreamSink::read(char *into, qsizetype size, bool *end)
{
    qsizetype copied = 0;
    while (copied < size && !m_chunks.empty()) {
        const QByteArray &chunk = m_chunks.front();
        const qsizetype part = qMin(size - copied, chunk.size() - m_offset);
        std::memcpy(into + copied, chunk.constData() + m_offset, size_t(part));
        copied += part;
        m_offset += part;
        if (m_offset == chunk.size()) {
            m_chunks.pop_front();
            m_offset = 0;
        }
    }
    m_queued -= copied;
    *end = m_closing && m_queued == 0;
    return copied;
}

void Http2StreamSink::notifyDrained()
{
    if (!m_finished)
        Q_EMIT drained();
}

void Http2StreamSink::streamClosed()
{
    finish();
}

void Http2StreamSink::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_chunks.clear();
    m_queued = 0;
    Q_EMIT closed();
}
