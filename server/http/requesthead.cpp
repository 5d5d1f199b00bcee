#include "requesthead.h"

#include <QByteArrayList>
#include <QChar>

#include <algorithm>

namespace {

// RFC 9110 section 5.6.2.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// Field values: visible characters, spaces, tabs and obs-text (RFC 9110 section 5.5); never
// CR, LF or NUL.
bool isFieldValue(QByteArrayView value)
{
    return std::all_of(value.begin(), value.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u == '\t' || u >= 0x20;
    }) && !value.contains('\x7f');
}

bool hasListToken(QByteArrayView value, QByteArrayView token)
{
    for (const QByteArray &part : value.toByteArray().split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

RequestHead refused(int status, const char *message)
{
    RequestHead head;
    head.status = status;
    head.message = message;
    head.keepAlive = false;
    return head;
}

} // namespace

RequestHead RequestHead::parse(QByteArrayView text)
{
    // A server should ignore empty lines before the request line (RFC 9112 section 2.2).
    while (text.startsWith("\r\n"))
        text = text.sliced(2);
    const QByteArrayList lines = text.toByteArray().split('\n');
    for (const QByteArray &line : lines) {
        if (&line != &lines.last() && !line.endsWith('\r'))
            return refused(400, "request lines must end with CRLF");
    }

    // request-line = method SP request-target SP HTTP-version (RFC 9112 section 3)
    const QByteArray requestLine = lines.first().chopped(lines.size() > 1 ? 1 : 0);
    const QByteArrayList parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts[0]) || parts[1].isEmpty() || !isFieldValue(parts[1])
        || parts[1].contains('\t'))
        return refused(400, "malformed request line");
    const QByteArray &version = parts[2];
    if (version.size() != 8 || !version.startsWith("HTTP/") || version[6] != '.'
        || !QChar::isDigit(uchar(version[5])) || !QChar::isDigit(uchar(version[7])))
        return refused(400, "malformed HTTP version");
    if (version[5] != '1')
        return refused(505, "only HTTP/1.0 and HTTP/1.1 are served here");
    const bool http10 = version[7] == '0';

    RequestHead head;
    bool sawHost = false;
    bool sawLength = false;
    bool sawTransferEncoding = false;
    bool connectionClose = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = QByteArrayView(lines[i]).chopped(i + 1 < lines.size() ? 1 : 0);
        if (line.startsWith(' ') || line.startsWith('\t'))
            return refused(400, "folded header lines are not accepted");
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            return refused(400, "header line without a colon");
        // No white space between the name and the colon (RFC 9112 section 5.1).
        const QByteArrayView name = line.first(colon);
        if (!isToken(name))
            return refused(400, "malformed header name");
        // Checked before trimming, which would also drop a bare CR at either end.
        const QByteArrayView rawValue = line.sliced(colon + 1);
        if (!isFieldValue(rawValue))
            return refused(400, "control characters in a header value");
        const QByteArrayView value = rawValue.trimmed();
        if (name.compare("host", Qt::CaseInsensitive) == 0) {
            if (sawHost)
                return refused(400, "more than one Host header");
            sawHost = true;
        } else if (name.compare("content-length", Qt::CaseInsensitive) == 0) {
            bool ok = !value.isEmpty() && value.size() <= 18
                && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
            const qint64 length = ok ? value.toLongLong(&ok) : -1;
            if (!ok || (sawLength && length != head.contentLength))
                return refused(400, "invalid Content-Length");
            sawLength = true;
            head.contentLength = length;
        } else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0) {
            if (sawTransferEncoding || value.compare("chunked", Qt::CaseInsensitive) != 0)
                return refused(501, "only Transfer-Encoding: chunked is supported");
            sawTransferEncoding = true;
        } else if (name.compare("connection", Qt::CaseInsensitive) == 0) {
            connectionClose = connectionClose || hasListToken(value, "close");
        } else if (name.compare("upgrade", Qt::CaseInsensitive) == 0) {
            // The listener reads the first Upgrade value, as Qt hands it over; one that is
            // empty or has another behind it would make the two disagree on an upgrade.
            if (head.upgrade || value.isEmpty())
                return refused(400, "empty or repeated Upgrade header");
            head.upgrade = true;
        } else if (name.compare("expect", Qt::CaseInsensitive) == 0) {
            head.expectContinue = value.compare("100-continue", Qt::CaseInsensitive) == 0;
        }
    }
    if (!http10 && !sawHost)
        return refused(400, "HTTP/1.1 requests need a Host header");
    // Both framings at once is the classic smuggling request (RFC 9112 section 6.3).
    if (sawTransferEncoding && (sawLength || http10))
        return refused(400, "Transfer-Encoding with Content-Length or in HTTP/1.0");
    head.framing = sawTransferEncoding ? Framing::Chunked : sawLength ? Framing::Length : Framing::None;
    // The guard stops following the bytes at an upgrade, so the body Qt would read behind one
    // would go unchecked; no upgrade this server takes has one (a WebSocket handshake).
    if (head.upgrade && (sawTransferEncoding || head.contentLength > 0))
        return refused(400, "an upgrade request with a body");
    // HTTP/1.0 keep-alive is not offered: every answer says HTTP/1.1, so close after it.
    head.keepAlive = !http10 && !connectionClose;
    return head;
}

qsizetype RequestHead::findEnd(QByteArrayView bytes, qsizetype from, bool *bare)
{
    *bare = false;
    for (qsizetype lf = bytes.indexOf('\n', qMax<qsizetype>(0, from)); lf >= 0 && lf + 1 < bytes.size();
         lf = bytes.indexOf('\n', lf + 1)) {
        const char next = bytes[lf + 1];
        if (next == '\n') {
            *bare = true;
            return lf;
        }
        if (next != '\r')
            continue;
        if (lf + 2 == bytes.size())
            return -1; // the byte Qt would take for the LF is not here yet
        *bare = lf == 0 || bytes[lf - 1] != '\r' || bytes[lf + 2] != '\n';
        return *bare ? lf : lf - 1;
    }
    return -1;
}
