#include "fuzztargets.h"

#include "fuzzcheck.h"
#include "sseencoder.h"
#include "sseparser.h"

bool FuzzTargets::sseParser(const uint8_t *data, size_t size)
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
    return !expected.isEmpty();
}
