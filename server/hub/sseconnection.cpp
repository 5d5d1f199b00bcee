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
        confirmIfDrained();
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

bool SseConnection::accepts(QByteArrayView name, const Target &target) const
{
    return acceptsName(name) && m_info.principal.isAddressedBy(target);
}

const QByteArray SseConnection::malformedLine = QByteArrayLiteral("\xFFmalformed field line\n");

void SseConnection::enqueue(const QByteArray &frame)
{
    if (m_finished || m_closeAfterFlush)
        return;
    m_sink->queue(frame);
    m_unflushed += frame.size();
    m_active = true;
}

quint8 SseConnection::enqueueEvent(const Event &event)
{
    const quint8 faults = std::exchange(m_nextFaults, 0);
    if (faults & CutNext) {
        enqueue(event.frame.left(event.frame.size() / 2));
        m_closeReason = CloseReason::Faulted;
        m_closeAfterFlush = true;
        return faults & CutNext;
    }
    if (faults & MalformedNext)
        enqueue(malformedLine);
    enqueue(event.frame);
    if (faults & DuplicateNext)
        enqueue(event.frame);
    m_lastEventId = event.id;
    ++m_pendingEvents;
    return faults;
}

void SseConnection::enqueueIdUpdate(const QByteArray &id)
{
    enqueue(SseEncoder::idOnly(id));
    m_lastEventId = id;
}

qint64 SseConnection::flush()
{
    if (m_unflushed == 0 || m_finished || m_stalled)
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
    // Settling a sink sends what is left once there is room: not while stalled.
    if (!m_stalled)
        m_sink->settle();
    confirmIfDrained();
    if (m_closeAfterFlush && !m_finished && m_unflushed == 0)
        return m_sink->closeWhenSent(closeGraceMs);
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
    m_stalled = false;
    if (!m_closeAfterFlush)
        m_closeReason = reason;
    flush();
    settle();
    m_sink->closeWhenSent(closeGraceMs);
}

void SseConnection::markResumed(const QByteArray &from, ResumeVia via)
{
    m_resumed = std::make_unique<Resumed>();
    m_resumed->from = from;
    m_resumed->via = via;
}

void SseConnection::setResumeStatus(ResumeStatus status)
{
    if (m_resumed)
        m_resumed->status = status;
}

void SseConnection::noteReplayed(const Event &event)
{
    if (!m_resumed)
        return;
    ++m_resumed->replayedCount;
    std::vector<Received> &trace = m_resumed->replayed;
    if (trace.size() >= size_t(replayTraceLength))
        trace.erase(trace.begin());
    trace.push_back({event.id, event.name, event.frame.size(), QDateTime::currentMSecsSinceEpoch(), true});
}

void SseConnection::confirmIfDrained()
{
    if (m_unflushed == 0 && !m_finished && m_sink->unsent() == 0)
        m_lastSentTicket = m_lastQueuedTicket;
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
