#include "sseconnection.h"

#include "sseencoder.h"

#include <QLoggingCategory>

#include <utility>

Q_LOGGING_CATEGORY(lcStream, "eventsource.server.stream")

namespace {
// How long a closing stream may take to hand its last bytes to the kernel.
constexpr int closeGraceMs = 2000;
}

SseConnection::SseConnection(Info info, std::unique_ptr<StreamSink> sink, qint64 maxBufferBytes, QObject *parent)
    : QObject(parent)
    , m_info(std::move(info))
    , m_sink(std::move(sink))
    , m_maxBufferBytes(maxBufferBytes)
{
    connect(m_sink.get(), &StreamSink::closed, this, &SseConnection::handleSinkGone);
    connect(m_sink.get(), &StreamSink::drained, this, [this] {
        if (m_replaying && !m_finished)
            Q_EMIT replayDrained(this);
    });
}

bool SseConnection::acceptsName(QByteArrayView name) const
{
    if (m_info.filter.isEmpty())
        return true;
    return !name.isEmpty() && m_info.filter.contains(name);
}

bool SseConnection::accepts(const Event &event) const
{
    return acceptsName(event.name) && m_info.principal.isAddressedBy(event.target);
}

void SseConnection::enqueue(const QByteArray &frame)
{
    if (m_finished)
        return;
    m_sink->queue(frame);
    m_unflushed += frame.size();
    m_active = true;
}

void SseConnection::enqueueEvent(const Event &event)
{
    enqueue(event.frame);
    m_lastEventId = event.id;
    ++m_pendingEvents;
}

void SseConnection::enqueueIdUpdate(const QByteArray &id)
{
    enqueue(SseEncoder::idOnly(id));
    m_lastEventId = id;
}

qint64 SseConnection::flush()
{
    if (m_unflushed == 0 || m_finished)
        return 0;
    const qint64 size = std::exchange(m_unflushed, 0);
    m_sink->send();
    m_bytesSent += size;
    m_eventsSent += m_pendingEvents;
    m_pendingEvents = 0;
    return size;
}

void SseConnection::settle()
{
    m_sink->settle();
    if (m_finished || m_sink->unsent() <= m_maxBufferBytes)
        return;
    qCInfo(lcStream).nospace() << "slow consumer dropped id=" << m_info.id
                               << " unsent=" << m_sink->unsent();
    m_closeReason = CloseReason::SlowConsumer;
    m_sink->abort();
}

void SseConnection::close(CloseReason reason)
{
    if (m_finished)
        return;
    m_closeReason = reason;
    flush();
    settle();
    m_sink->closeWhenSent(closeGraceMs);
}

bool SseConnection::takeActivity()
{
    const bool active = m_active;
    m_active = false;
    return active;
}

void SseConnection::handleSinkGone()
{
    if (m_finished)
        return;
    m_finished = true;
    m_unflushed = 0;
    Q_EMIT closed(this, m_closeReason);
    deleteLater();
}
