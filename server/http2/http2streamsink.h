#pragma once

#include "streamsink.h"

#include <QPointer>

#include <deque>

class Http2Session;

// The body of one event stream carried as an HTTP/2 stream. Frames wait here until the
// session's nghttp2 reads them (as the stream's flow-control window allows), so unsent()
// is what this stream alone holds back: a stream that stops reading fills its own sink,
// and its owner resets it (abort(): RST_STREAM) while the connection's other streams go on.
// closeWhenSent() ends the stream (END_STREAM) once all is read. All on the owner's thread.
class Http2StreamSink final : public StreamSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http2StreamSink)

public:
    Http2StreamSink(Http2Session *session, qint32 streamId, QObject *parent = nullptr);
    ~Http2StreamSink() override;

    qint64 unsent() const override { return m_queued; }
    void queue(const QByteArray &bytes) override;
    void send() override {}
    void settle() override;
    void closeWhenSent(int graceMs) override;
    void abort() override;

    // For the session: copies up to `size` queued bytes out; *end is set once closing and
    // nothing is left.
    qsizetype read(char *into, qsizetype size, bool *end);
    void notifyDrained();
    // The stream is over (reset by the peer, ended, or the connection gone).
    void streamClosed();

private:
    void finish();

    QPointer<Http2Session> m_session;
    qint32 m_streamId;
    std::deque<QByteArray> m_chunks;
    qsizetype m_offset = 0; // into the first chunk
    qint64 m_queued = 0;
    bool m_closing = false;
    bool m_finished = false;
};
