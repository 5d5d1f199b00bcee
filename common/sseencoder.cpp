#include "sseencoder.h"

namespace {

// Appends one "<prefix>line\n" for each line of text, lines split on CRLF, CR and LF.
void appendLines(QByteArray &out, QByteArrayView prefix, QByteArrayView text)
{
    qsizetype start = 0;
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char c = text[i];
        if (c != '\r' && c != '\n')
            continue;
        out.append(prefix).append(text.sliced(start, i - start)).append('\n');
        if (c == '\r' && i + 1 < size && text[i + 1] == '\n')
            ++i;
        start = i + 1;
    }
    out.append(prefix).append(text.sliced(start)).append('\n');
}

} // namespace

bool SseEncoder::isSingleLine(QByteArrayView value)
{
    for (const char c : value) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

std::optional<QByteArray> SseEncoder::event(QByteArrayView id, QByteArrayView name,
                                            QByteArrayView data)
{
    if (!isSingleLine(id) || !isSingleLine(name) || data.contains('\0'))
        return std::nullopt;
    QByteArray out;
    out.reserve(id.size() + name.size() + data.size() + 32);
    // "field: value" with the space: the parser strips exactly one, so a value that starts
    // with a space survives.
    if (!id.isEmpty())
        out.append("id: ").append(id).append('\n');
    if (!name.isEmpty())
        out.append("event: ").append(name).append('\n');
    appendLines(out, "data: ", data);
    out.append('\n');
    return out;
}

QByteArray SseEncoder::retry(int milliseconds)
{
    return "retry: " + QByteArray::number(qMax(0, milliseconds)) + "\n\n";
}

QByteArray SseEncoder::idOnly(QByteArrayView id)
{
    if (!isSingleLine(id))
        return {};
    return "id: " + id.toByteArray() + "\n\n";
}

QByteArray SseEncoder::comment(QByteArrayView text)
{
    QByteArray out;
    QByteArray cleaned = text.toByteArray();
    cleaned.replace('\0', ' ');
    appendLines(out, ":", cleaned);
    return out;
}
