#include "chunkedbody.h"

#include <QByteArray>
#include <QScopeGuard>

#include <algorithm>
#include <cctype>

qsizetype ChunkedBody::feed(QByteArrayView bytes)
{
    qsizetype at = 0;
    while (at < bytes.size() && m_state == State::Reading) {
        if (m_part == Part::Data) {
            const qsizetype take = qsizetype(qMin<qint64>(m_chunkLeft, bytes.size() - at));
            at += take;
            m_chunkLeft -= take;
            if (m_chunkLeft == 0)
                m_part = Part::DataEnd;
            continue;
        }
        const char c = bytes[at++];
        m_line.append(c);
        // After the last chunk only CRLF: QtHttpServer 6.4 answers the request as soon as
        // another byte comes (taking it for a trailer field), so it is refused at that byte.
        if (m_line.size() > maxLineBytes || (m_part == Part::FinalCrlf && !QByteArrayView("\r\n").startsWith(m_line))) {
            m_state = State::Malformed;
            break;
        }
        if (c == '\n' && !endLine())
            m_state = State::Malformed;
    }
    return at;
}

bool ChunkedBody::endLine()
{
    if (!m_line.endsWith("\r\n"))
        return false;
    const QByteArrayView line = QByteArrayView(m_line).chopped(2);
    const auto clear = qScopeGuard([this] { m_line.clear(); });
    switch (m_part) {
    case Part::SizeLine: {
        // chunk-size [ chunk-ext ]: hex digits, then nothing or ';' and an extension.
        const qsizetype end = line.indexOf(';');
        const QByteArrayView size = (end < 0 ? line : line.first(end)).trimmed();
        bool ok = !size.isEmpty() && size.size() <= 15
            && std::all_of(size.begin(), size.end(), [](char c) { return std::isxdigit(uchar(c)); });
        const qint64 length = ok ? size.toLongLong(&ok, 16) : 0;
        if (!ok)
            return false;
        m_dataBytes += length;
        m_chunkLeft = length;
        m_part = length == 0 ? Part::FinalCrlf : Part::Data;
        return true;
    }
    case Part::DataEnd:
        if (!line.isEmpty())
            return false;
        m_part = Part::SizeLine;
        return true;
    case Part::FinalCrlf:
        m_state = State::Done;
        return true;
    case Part::Data:
        break;
    }
    return false;
}
