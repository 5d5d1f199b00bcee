#pragma once

#include "ssemessage.h"

#include <QByteArray>
#include <QList>

// Incremental parser for a text/event-stream body, following the WHATWG HTML algorithm
// (§9.2.6 "Interpreting an event stream"): UTF-8 with one leading BOM skipped, lines ended by
// CRLF, LF or CR (also across chunk boundaries), comments, field/value split at the first
// colon with one leading space dropped, "id" values holding NUL ignored, "retry" only when all
// ASCII digits, dispatch on a blank line, an unfinished event discarded at end of stream.
class SseParser final
{
public:
    // A line longer than this puts the parser in the error state (a client must bound memory).
    explicit SseParser(qsizetype maxLineBytes = 16 * 1024 * 1024);

    // Feeds the next chunk of the body; returns the events it completed, in order.
    QList<SseMessage> feed(QByteArrayView chunk);

    QString lastEventId() const { return m_lastEventId; }
    // The reconnection time last set by a valid "retry" field, or -1.
    qint64 retryMs() const { return m_retryMs; }
    // Comment lines seen so far (heartbeats are comments).
    qint64 commentCount() const { return m_commentCount; }
    bool hasError() const { return m_error; }

private:
    void processLine(const QByteArray &line, QList<SseMessage> &out);
    void processField(const QString &field, const QString &value);
    void dispatch(QList<SseMessage> &out);

    qsizetype m_maxLineBytes;
    QByteArray m_line;
    bool m_bomChecked = false;
    bool m_skipLineFeed = false; // the previous chunk ended on CR
    bool m_error = false;
    QString m_data;
    QString m_eventType;
    QString m_lastEventIdBuffer;
    QString m_lastEventId;
    qint64 m_retryMs = -1;
    qint64 m_commentCount = 0;
};
