#include "fuzztargets.h"

#include "pushrequest.h"
#include "sseencoder.h"
#include "sseparser.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <cstdlib>

namespace {

void check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace

void FuzzTargets::sseParser(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    SseParser whole(1 << 16);
    const QList<SseMessage> expected = whole.feed(bytes);
    SseParser split(1 << 16);
    const qsizetype cut = size ? qsizetype(data[0]) % qsizetype(size) : 0;
    QList<SseMessage> got = split.feed(bytes.first(cut));
    got += split.feed(bytes.sliced(cut));
    if (!whole.hasError() && !split.hasError()) {
        check(got == expected, "split feed differs from whole feed");
        check(split.lastEventId() == whole.lastEventId(), "last event id differs");
    }
    for (const SseMessage &message : expected) {
        const QByteArray type = message.type == QLatin1String("message") ? QByteArray() : message.type.toUtf8();
        const std::optional<QByteArray> frame =
            SseEncoder::event(message.lastEventId.toUtf8(), type, message.data.toUtf8());
        if (!frame)
            continue; // NUL in data, or CR/LF in id or type: the encoder refuses, as it must
        SseParser again;
        const QList<SseMessage> round = again.feed(*frame);
        check(round.size() == 1, "re-encoded event does not parse as one event");
        check(round.first().data == message.data, "re-encoded data changed");
    }
}

bool FuzzTargets::pushRequest(const uint8_t *data, size_t size)
{
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (!document.isObject())
        return false;
    const PushRequest request = PushRequest::fromJson(document.object());
    if (!request.draft) {
        check(!request.error.isEmpty(), "refusal without a message");
        return false;
    }
    const std::optional<QByteArray> frame =
        SseEncoder::event("1-1", request.draft->name, request.draft->data);
    check(frame.has_value(), "accepted push cannot be encoded");
    SseParser parser;
    const QList<SseMessage> events = parser.feed(*frame);
    check(events.size() == 1, "accepted push encodes to other than one event");
    QString expected = QString::fromUtf8(request.draft->data);
    expected.replace(QLatin1String("\r\n"), QLatin1String("\n")).replace(u'\r', u'\n');
    check(events.first().data == expected, "data changed on the wire");
    const QString type = request.draft->name.isEmpty() ? QStringLiteral("message")
                                                      : QString::fromUtf8(request.draft->name);
    check(events.first().type == type, "name changed on the wire");
    return true;
}
