#pragma once

#include "sseparser.h"
#include "streamsink.h"

// A stream sink without a socket, for unit tests: what is sent lands in written(); the peer
// takes at most `window` bytes until the test lets it read more (read()), so a stalled client
// is one that never reads.
class FakeStreamSink final : public StreamSink
{
public:
    static constexpr qint64 unlimited = -1;

    explicit FakeStreamSink(qint64 window = unlimited)
        : m_window(window)
    {
    }

    qint64 unsent() const override { return m_queued.size(); }
    void queue(const QByteArray &bytes) override { m_queued += bytes; }
    void send() override
    {
        const qint64 take = m_window == unlimited ? m_queued.size() : qMin<qint64>(m_window, m_queued.size());
        m_written += m_queued.left(take);
        m_queued.remove(0, take);
        if (m_window != unlimited)
            m_window -= take;
    }
    void settle() override {}
    void closeWhenSent(int) override
    {
        m_closing = true;
        finishClose();
    }
    void abort() override
    {
        m_aborted = true;
        m_queued.clear();
        gone();
    }

    // The peer reads `bytes` more (unlimited: everything from now on).
    void read(qint64 bytes)
    {
        m_window = bytes == unlimited || m_window == unlimited ? unlimited : m_window + bytes;
        send();
        Q_EMIT drained();
        finishClose();
    }
    // The peer went away.
    void gone()
    {
        if (m_closed)
            return;
        m_closed = true;
        Q_EMIT closed();
    }

    const QByteArray &written() const { return m_written; }
    bool isClosed() const { return m_closed; }
    bool wasAborted() const { return m_aborted; }
    // What an EventSource would make of written().
    QList<SseMessage> messages() const
    {
        SseParser parser;
        return parser.feed(m_written);
    }
    SseParser parsed() const
    {
        SseParser parser;
        parser.feed(m_written);
        return parser;
    }

private:
    void finishClose()
    {
        if (m_closing && m_queued.isEmpty())
            gone();
    }

    qint64 m_window;
    QByteArray m_queued;
    QByteArray m_written;
    bool m_closing = false;
    bool m_closed = false;
    bool m_aborted = false;
};
