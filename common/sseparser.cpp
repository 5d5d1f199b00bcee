#include "sseparser.h"

#include "utf8decoder.h"

SseParser::SseParser(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{
}

QList<SseMessage> SseParser::feed(QByteArrayView chunk)
{
    QList<SseMessage> out;
    if (m_error)
        return out;
    if (!m_bomChecked) {
        // The BOM can only be recognised once three bytes are in.
        m_line.append(chunk);
        if (m_line.size() < 3 && QByteArrayView("\xEF\xBB\xBF").startsWith(m_line))
            return out;
        m_bomChecked = true;
        QByteArray pending = m_line.startsWith("\xEF\xBB\xBF") ? m_line.mid(3) : m_line;
        m_line.clear();
        return feed(pending);
    }
    qsizetype start = 0;
    const qsizetype size = chunk.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = chunk[i];
        if (m_skipLineFeed) {
            m_skipLineFeed = false;
            if (c == '\n') {
                start = i + 1;
                continue;
            }
        }
        if (c != '\r' && c != '\n')
            continue;
        m_line.append(chunk.sliced(start, i - start));
        if (m_line.size() > m_maxLineBytes) {
            m_error = true;
            m_line.clear();
            return out;
        }
        processLine(m_line, out);
        m_line.clear();
        m_skipLineFeed = (c == '\r');
        start = i + 1;
    }
    m_line.append(chunk.sliced(start));
    if (m_line.size() > m_maxLineBytes) {
        m_error = true;
        m_line.clear();
    }
    return out;
}

void SseParser::processLine(const QByteArray &line, QList<SseMessage> &out)
{
    if (line.isEmpty()) {
        dispatch(out);
        return;
    }
    if (line.startsWith(':')) {
        ++m_commentCount;
        return;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        processField(Utf8Decoder::decode(line), QString());
        return;
    }
    qsizetype valueStart = colon + 1;
    if (valueStart < line.size() && line[valueStart] == ' ')
        ++valueStart;
    processField(Utf8Decoder::decode(QByteArrayView(line).first(colon)),
                 Utf8Decoder::decode(QByteArrayView(line).sliced(valueStart)));
}

void SseParser::processField(const QString &field, const QString &value)
{
    if (field == QLatin1String("event")) {
        m_eventType = value;
    } else if (field == QLatin1String("data")) {
        m_data.append(value).append(QLatin1Char('\n'));
    } else if (field == QLatin1String("id")) {
        if (!value.contains(QChar(u'\0')))
            m_lastEventIdBuffer = value;
    } else if (field == QLatin1String("retry")) {
        if (value.isEmpty())
            return;
        for (const QChar c : value) {
            if (c < u'0' || c > u'9')
                return;
        }
        bool ok = false;
        const qint64 ms = value.toLongLong(&ok);
        if (ok)
            m_retryMs = ms;
    }
}

void SseParser::dispatch(QList<SseMessage> &out)
{
    m_lastEventId = m_lastEventIdBuffer;
    if (m_data.isEmpty()) {
        m_eventType.clear();
        return;
    }
    if (m_data.endsWith(QLatin1Char('\n')))
        m_data.chop(1);
    out.append(SseMessage{m_eventType.isEmpty() ? QStringLiteral("message") : m_eventType,
                          m_data, m_lastEventId});
    m_data.clear();
    m_eventType.clear();
}
