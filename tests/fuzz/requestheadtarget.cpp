#include "fuzztargets.h"

#include "chunkedbody.h"
#include "fuzzcheck.h"
#include "requesthead.h"

using FuzzTargets::check;

namespace {

// A header line's bytes: every CR is followed by LF and every LF preceded by CR, no NUL.
bool hasOnlyCrlfLineEnds(QByteArrayView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\0' || (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))
            || (c == '\n' && (i == 0 || text[i - 1] != '\r')))
            return false;
    }
    return true;
}

struct Fed
{
    ChunkedBody::State state;
    qint64 consumed;
    qint64 dataBytes;
};

Fed feedInPieces(QByteArrayView bytes, qsizetype piece)
{
    ChunkedBody body;
    qint64 consumed = 0;
    for (qsizetype at = 0; at < bytes.size() && body.state() == ChunkedBody::State::Reading; at += piece) {
        const QByteArrayView part = bytes.sliced(at, qMin(piece, bytes.size() - at));
        const qsizetype took = body.feed(part);
        check(took >= 0 && took <= part.size(), "consumed more than it was given");
        check(took == part.size() || body.state() != ChunkedBody::State::Reading,
              "left bytes unread while still reading");
        consumed += took;
    }
    const Fed fed{body.state(), consumed, body.dataBytes()};
    check(fed.state == ChunkedBody::State::Reading || body.feed("0\r\n\r\n") == 0, "consumed bytes after the end");
    return fed;
}

} // namespace

bool FuzzTargets::requestHead(const uint8_t *data, size_t size)
{
    const QByteArray input = bytes(data, size);
    const qsizetype end = input.indexOf("\r\n\r\n");
    const QByteArrayView text = end < 0 ? QByteArrayView(input) : QByteArrayView(input).first(end);
    const RequestHead head = RequestHead::parse(text);
    check(head.status == 0 || head.status == 400 || head.status == 501 || head.status == 505,
          "refused with a status other than 400, 501 or 505");
    check(head.isAcceptable() == head.message.isEmpty(), "a reason without a refusal, or the reverse");
    check(head.isAcceptable() || !head.keepAlive, "a refused request keeps the connection");
    // Empty lines before the request line are skipped, nothing else changes.
    const RequestHead led = RequestHead::parse(QByteArray("\r\n" + text.toByteArray()));
    check(led.status == head.status && led.keepAlive == head.keepAlive && led.framing == head.framing
              && led.contentLength == head.contentLength,
          "a leading empty line changed the result");
    if (!head.isAcceptable())
        return false;
    check(hasOnlyCrlfLineEnds(text), "accepted a bare CR, a bare LF or a NUL");
    check(head.contentLength >= 0, "negative Content-Length");
    check(head.framing == RequestHead::Framing::Length || head.contentLength == 0,
          "a length without Content-Length framing");
    if (head.framing != RequestHead::Framing::Chunked || end < 0)
        return true;

    // What follows the head's empty line as a chunked body: the same verdict whole, in two pieces and
    // byte by byte.
    const QByteArrayView rest = QByteArrayView(input).sliced(end + 4);
    const Fed whole = feedInPieces(rest, qMax<qsizetype>(1, rest.size()));
    const qsizetype split = rest.isEmpty() ? 1 : qsizetype(uchar(rest.front())) % rest.size() + 1;
    for (const Fed &other : {feedInPieces(rest, split), feedInPieces(rest, 1)}) {
        check(other.state == whole.state && other.dataBytes == whole.dataBytes, "verdict depends on the pieces");
        check(whole.state != ChunkedBody::State::Done || other.consumed == whole.consumed,
              "the body ends at different places");
    }
    check(whole.state != ChunkedBody::State::Done || rest.first(whole.consumed).endsWith("\r\n"),
          "a finished body that does not end with CRLF");
    // dataBytes counts the chunk sizes announced (so a body too large is refused before it
    // arrives): only a finished body must hold them all.
    check(whole.state != ChunkedBody::State::Done || whole.dataBytes <= whole.consumed, "more data than bytes");
    return true;
}
