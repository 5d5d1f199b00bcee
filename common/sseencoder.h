#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// The SSE wire format, as pure functions. Every field value that would let a payload start a
// new line is refused (names, ids) or split into lines (data), so nothing a publisher sends
// can inject a field.
struct SseEncoder final
{
    // A field value that may go on one line: no CR, LF or NUL.
    static bool isSingleLine(QByteArrayView value);

    // A complete event block, ending with the blank line that dispatches it. Returns nothing
    // when id or name is not single-line or data holds a NUL. Data is split on CRLF, CR and
    // LF, one "data:" line each, so a client rebuilds it with LF separators.
    static std::optional<QByteArray> event(QByteArrayView id, QByteArrayView name,
                                           QByteArrayView data);

    // "retry: <ms>" as a block of its own.
    static QByteArray retry(int milliseconds);

    // An "id:" line in a block with no data: the client updates its last event id and
    // dispatches nothing. Empty when id is not single-line.
    static QByteArray idOnly(QByteArrayView id);

    // Comment lines (ignored by clients): text is split like data, each line prefixed ":".
    static QByteArray comment(QByteArrayView text);
};
