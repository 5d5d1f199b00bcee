#include "sseparser.h"

#include <QByteArrayList>
#include <QTest>

// Expected results follow WHATWG HTML §9.2.6 "Interpreting an event stream", not the parser.

Q_DECLARE_METATYPE(SseMessage)

using Messages = QList<SseMessage>;

// Found by ADL, so QCOMPARE on SseMessage lists prints the differing element.
char *toString(const SseMessage &message)
{
    return QTest::toString(QStringLiteral("{type=%1 data=%2 lastEventId=%3}")
                               .arg(message.type, message.data, message.lastEventId));
}

namespace {

// Literal bytes including embedded NULs (the array bound counts them, strlen would not).
template <std::size_t N>
QByteArray raw(const char (&text)[N])
{
    return QByteArray(text, qsizetype(N - 1));
}

SseMessage message(const QString &data, const QString &type = QStringLiteral("message"),
                   const QString &lastEventId = {})
{
    return SseMessage{type, data, lastEventId};
}

// Everything a client can observe after feeding a stream.
struct Outcome
{
    Messages messages;
    QString lastEventId;
    qint64 retryMs = -1;
    qint64 commentCount = 0;
    bool error = false;
};

Outcome parse(const QByteArrayList &chunks, qsizetype maxLineBytes = 16 * 1024 * 1024)
{
    SseParser parser(maxLineBytes);
    Outcome outcome;
    for (const QByteArray &chunk : chunks)
        outcome.messages += parser.feed(chunk);
    outcome.lastEventId = parser.lastEventId();
    outcome.retryMs = parser.retryMs();
    outcome.commentCount = parser.commentCount();
    outcome.error = parser.hasError();
    return outcome;
}

QByteArrayList bytesOf(const QByteArray &stream)
{
    QByteArrayList chunks;
    for (const char c : stream)
        chunks.append(QByteArray(1, c));
    return chunks;
}

} // namespace

class tst_SseParser final : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void parseByteByByte_data() { parse_data(); }
    void parseByteByByte();
    void parseSplitAnywhere_data() { parse_data(); }
    void parseSplitAnywhere();
    void chunkBoundaries_data();
    void chunkBoundaries();
    void lineTooLong_data();
    void lineTooLong();
    void lastEventIdOnlyChangesOnDispatch();
    void retryTakesEffectWithoutDispatch();
    void retryOverflowDoesNotWrap();
};

void tst_SseParser::parse_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<Messages>("messages");
    QTest::addColumn<QString>("lastEventId");
    QTest::addColumn<qint64>("retryMs");
    QTest::addColumn<qint64>("commentCount");

    const qint64 noRetry = -1;

    // Line endings
    QTest::addRow("LF line endings")
        << raw("data: a\n\n") << Messages{message("a")} << QString() << noRetry << qint64(0);
    QTest::addRow("CR line endings")
        << raw("data: a\r\r") << Messages{message("a")} << QString() << noRetry << qint64(0);
    QTest::addRow("CRLF line endings")
        << raw("data: a\r\n\r\n") << Messages{message("a")} << QString() << noRetry << qint64(0);
    QTest::addRow("CRLF is one line break, not two")
        << raw("data: a\r\ndata: b\r\n\r\n") << Messages{message("a\nb")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("LF CR is two line breaks")
        << raw("data: a\n\rdata: b\n\n") << Messages{message("a"), message("b")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("mixed line endings")
        << raw("data: a\rdata: b\ndata: c\r\n\r\ndata: d\n\r")
        << Messages{message("a\nb\nc"), message("d")} << QString() << noRetry << qint64(0);

    // BOM
    QTest::addRow("leading BOM stripped")
        << raw("\xEF\xBB\xBF" "data: a\n\n") << Messages{message("a")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("second BOM not stripped")
        << raw("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n") << Messages{} << QString() << noRetry
        << qint64(0);
    QTest::addRow("BOM after first event not stripped")
        << raw("data: a\n\n\xEF\xBB\xBF" "data: b\n\n") << Messages{message("a")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("BOM inside a value kept")
        << raw("data: \xEF\xBB\xBF" "a\n\n") << Messages{message(QStringLiteral("\uFEFFa"))}
        << QString() << noRetry << qint64(0);
    QTest::addRow("BOM prefix that is not a BOM")
        << raw("\xEF\xBB\n" "data: a\n\n") << Messages{message("a")} << QString() << noRetry
        << qint64(0);

    // Field / value split
    QTest::addRow("no space after colon")
        << raw("data:a\n\n") << Messages{message("a")} << QString() << noRetry << qint64(0);
    QTest::addRow("only one leading space stripped")
        << raw("data:  a\n\n") << Messages{message(" a")} << QString() << noRetry << qint64(0);
    QTest::addRow("leading tab kept")
        << raw("data:\ta\n\n") << Messages{message("\ta")} << QString() << noRetry << qint64(0);
    QTest::addRow("trailing spaces kept")
        << raw("data: a  \n\n") << Messages{message("a  ")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("value split at first colon only")
        << raw("data: a: b:c\n\n") << Messages{message("a: b:c")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("data without colon is an empty line of data")
        << raw("data\n\n") << Messages{message("")} << QString() << noRetry << qint64(0);
    QTest::addRow("data with colon and no value")
        << raw("data:\n\n") << Messages{message("")} << QString() << noRetry << qint64(0);
    QTest::addRow("data without colon between lines")
        << raw("data: a\ndata\ndata: b\n\n") << Messages{message("a\n\nb")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("empty data line at end keeps one LF")
        << raw("data: a\ndata:\n\n") << Messages{message("a\n")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("field names are case-sensitive")
        << raw("Data: a\nDATA: b\n\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("space before colon is part of the field name")
        << raw("data : a\n\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("unknown fields ignored")
        << raw("foo: bar\ndata: a\nbaz\n\n") << Messages{message("a")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("blank lines alone dispatch nothing")
        << raw("\n\n\r\n\r") << Messages{} << QString() << noRetry << qint64(0);

    // Event type
    QTest::addRow("default type is message")
        << raw("data: a\n\n") << Messages{message("a", "message")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("event sets type")
        << raw("event: update\ndata: a\n\n") << Messages{message("a", "update")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("event after data in the block")
        << raw("data: a\nevent: update\n\n") << Messages{message("a", "update")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("last event field wins")
        << raw("event: one\nevent: two\ndata: a\n\n") << Messages{message("a", "two")}
        << QString() << noRetry << qint64(0);
    QTest::addRow("empty event name means message")
        << raw("event:\ndata: a\n\n") << Messages{message("a", "message")} << QString()
        << noRetry << qint64(0);
    QTest::addRow("unnamed after named resets type")
        << raw("event: update\ndata: a\n\ndata: b\n\n")
        << Messages{message("a", "update"), message("b", "message")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("type of a block without data does not leak")
        << raw("event: update\n\ndata: b\n\n") << Messages{message("b", "message")} << QString()
        << noRetry << qint64(0);

    // Last event id
    QTest::addRow("id set")
        << raw("id: 1\ndata: a\n\n") << Messages{message("a", "message", "1")}
        << QStringLiteral("1") << noRetry << qint64(0);
    QTest::addRow("id persists across events")
        << raw("id: 1\ndata: a\n\ndata: b\n\n")
        << Messages{message("a", "message", "1"), message("b", "message", "1")}
        << QStringLiteral("1") << noRetry << qint64(0);
    QTest::addRow("empty id resets")
        << raw("id: 1\ndata: a\n\nid:\ndata: b\n\n")
        << Messages{message("a", "message", "1"), message("b")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("id without colon resets")
        << raw("id: 1\ndata: a\n\nid\ndata: b\n\n")
        << Messages{message("a", "message", "1"), message("b")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("id with NUL ignored")
        << raw("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n")
        << Messages{message("a", "message", "1"), message("b", "message", "1")}
        << QStringLiteral("1") << noRetry << qint64(0);
    QTest::addRow("id-only block updates id and dispatches nothing")
        << raw("id: 7\n\n") << Messages{} << QStringLiteral("7") << noRetry << qint64(0);
    QTest::addRow("id-only block applies to later events")
        << raw("id: 7\n\ndata: a\n\n") << Messages{message("a", "message", "7")}
        << QStringLiteral("7") << noRetry << qint64(0);
    QTest::addRow("id keeps spaces after the first")
        << raw("id:  7 \ndata: a\n\n") << Messages{message("a", "message", " 7 ")}
        << QStringLiteral(" 7 ") << noRetry << qint64(0);
    QTest::addRow("id in UTF-8")
        << raw("id: \xC3\xA9\ndata: a\n\n")
        << Messages{message("a", "message", QStringLiteral("\u00E9"))}
        << QStringLiteral("\u00E9") << noRetry << qint64(0);

    // Retry
    QTest::addRow("retry digits")
        << raw("retry: 1000\n") << Messages{} << QString() << qint64(1000) << qint64(0);
    QTest::addRow("retry without space")
        << raw("retry:250\n") << Messages{} << QString() << qint64(250) << qint64(0);
    QTest::addRow("retry zero")
        << raw("retry: 0\n") << Messages{} << QString() << qint64(0) << qint64(0);
    QTest::addRow("retry with letter ignored")
        << raw("retry: 10a\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry negative ignored")
        << raw("retry: -1\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry empty ignored")
        << raw("retry:\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry without colon ignored")
        << raw("retry\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry with second space ignored")
        << raw("retry:  10\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry with decimal point ignored")
        << raw("retry: 1.5\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("retry with non-ASCII digit ignored")
        << raw("retry: 1\xD9\xA3\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("invalid retry keeps previous value")
        << raw("retry: 500\nretry: x\n") << Messages{} << QString() << qint64(500) << qint64(0);
    QTest::addRow("retry in an event block does not disturb it")
        << raw("data: a\nretry: 20\ndata: b\n\n") << Messages{message("a\nb")} << QString()
        << qint64(20) << qint64(0);

    // Comments
    QTest::addRow("comment counted")
        << raw(": heartbeat\n") << Messages{} << QString() << noRetry << qint64(1);
    QTest::addRow("bare colon is a comment")
        << raw(":\n:\r:\r\n") << Messages{} << QString() << noRetry << qint64(3);
    QTest::addRow("comment inside an event")
        << raw("data: a\n:data: x\ndata: b\n\n") << Messages{message("a\nb")} << QString()
        << noRetry << qint64(1);
    QTest::addRow("comment block dispatches nothing")
        << raw(": a\n\n") << Messages{} << QString() << noRetry << qint64(1);

    // End of stream
    QTest::addRow("unfinished event not dispatched")
        << raw("data: a\n") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("unterminated line not dispatched")
        << raw("data: a") << Messages{} << QString() << noRetry << qint64(0);
    QTest::addRow("only completed events dispatched")
        << raw("data: a\n\ndata: b\n") << Messages{message("a")} << QString() << noRetry
        << qint64(0);
    QTest::addRow("id of an unfinished event not applied")
        << raw("id: 1\ndata: a\n\nid: 2\ndata: b\n")
        << Messages{message("a", "message", "1")} << QStringLiteral("1") << noRetry
        << qint64(0);

    // UTF-8 decoding
    QTest::addRow("multi-byte UTF-8")
        << raw("data: \xE2\x82\xAC \xF0\x9F\x98\x80\n\n")
        << Messages{message(QStringLiteral("\u20AC \U0001F600"))} << QString() << noRetry
        << qint64(0);
    QTest::addRow("invalid byte becomes U+FFFD")
        << raw("data: a\xFF" "b\n\n") << Messages{message(QStringLiteral("a\uFFFDb"))}
        << QString() << noRetry << qint64(0);
    QTest::addRow("lone continuation byte becomes U+FFFD")
        << raw("data: \x80\n\n") << Messages{message(QStringLiteral("\uFFFD"))} << QString()
        << noRetry << qint64(0);
    QTest::addRow("truncated sequence becomes one U+FFFD")
        << raw("data: \xE2\x82\n\n") << Messages{message(QStringLiteral("\uFFFD"))}
        << QString() << noRetry << qint64(0);

    // Several events
    QTest::addRow("several events in one stream")
        << raw("id: 1\nevent: a\ndata: x\n\n: hb\nretry: 5\n\nid: 2\ndata: y\ndata: z\n\n")
        << Messages{message("x", "a", "1"), message("y\nz", "message", "2")}
        << QStringLiteral("2") << qint64(5) << qint64(1);
}

void tst_SseParser::parse()
{
    QFETCH(QByteArray, stream);
    QFETCH(Messages, messages);
    QFETCH(QString, lastEventId);
    QFETCH(qint64, retryMs);
    QFETCH(qint64, commentCount);

    const Outcome outcome = ::parse({stream});
    QCOMPARE(outcome.messages, messages);
    QCOMPARE(outcome.lastEventId, lastEventId);
    QCOMPARE(outcome.retryMs, retryMs);
    QCOMPARE(outcome.commentCount, commentCount);
    QVERIFY(!outcome.error);
}

// Property: chunking is invisible. One byte at a time gives what one chunk gives.
void tst_SseParser::parseByteByByte()
{
    QFETCH(QByteArray, stream);
    QFETCH(Messages, messages);
    QFETCH(QString, lastEventId);
    QFETCH(qint64, retryMs);
    QFETCH(qint64, commentCount);

    const Outcome outcome = ::parse(bytesOf(stream));
    QCOMPARE(outcome.messages, messages);
    QCOMPARE(outcome.lastEventId, lastEventId);
    QCOMPARE(outcome.retryMs, retryMs);
    QCOMPARE(outcome.commentCount, commentCount);
    QVERIFY(!outcome.error);
}

// Property: every split into two chunks gives what one chunk gives.
void tst_SseParser::parseSplitAnywhere()
{
    QFETCH(QByteArray, stream);
    QFETCH(Messages, messages);
    QFETCH(QString, lastEventId);
    QFETCH(qint64, retryMs);
    QFETCH(qint64, commentCount);

    for (qsizetype at = 0; at <= stream.size(); ++at) {
        const Outcome outcome = ::parse({stream.left(at), stream.mid(at)});
        const QByteArray where = "split at byte " + QByteArray::number(at);
        QVERIFY2(outcome.messages == messages, where);
        QVERIFY2(outcome.lastEventId == lastEventId, where);
        QVERIFY2(outcome.retryMs == retryMs, where);
        QVERIFY2(outcome.commentCount == commentCount, where);
        QVERIFY2(!outcome.error, where);
    }
}

void tst_SseParser::chunkBoundaries_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<Messages>("messages");

    // The LF that completes a CRLF in the next chunk must not be read as a blank line.
    QTest::addRow("CRLF split across chunks")
        << QByteArrayList{"data: a\r", "\ndata: b\r\n\r\n"} << Messages{message("a\nb")};
    QTest::addRow("CR at end of chunk then text")
        << QByteArrayList{"data: a\r", "data: b\r\r"} << Messages{message("a\nb")};
    QTest::addRow("CR at end of chunk then CR")
        << QByteArrayList{"data: a\r", "\r"} << Messages{message("a")};
    QTest::addRow("CRLF then LF across chunks is a blank line")
        << QByteArrayList{"data: a\r", "\n", "\n"} << Messages{message("a")};
    QTest::addRow("CR then empty chunk then LF")
        << QByteArrayList{"data: a\r", "", "\ndata: b\n\n"} << Messages{message("a\nb")};
    QTest::addRow("BOM split across three chunks")
        << QByteArrayList{"\xEF", "\xBB", "\xBF" "data: a\n\n"} << Messages{message("a")};
    QTest::addRow("BOM split after two bytes")
        << QByteArrayList{"\xEF\xBB", "\xBF" "data: a\n\n"} << Messages{message("a")};
    QTest::addRow("empty chunks before BOM")
        << QByteArrayList{"", "", "\xEF\xBB\xBF", "data: a\n\n"} << Messages{message("a")};
    QTest::addRow("second BOM in next chunk not stripped")
        << QByteArrayList{"\xEF\xBB\xBF", "\xEF\xBB\xBF" "data: a\n\n"} << Messages{};
    QTest::addRow("stream shorter than a BOM")
        << QByteArrayList{"\n", "data: a\n\n"} << Messages{message("a")};
    QTest::addRow("multi-byte character split across chunks")
        << QByteArrayList{"data: \xE2", "\x82", "\xAC\n\n"}
        << Messages{message(QStringLiteral("\u20AC"))};
    QTest::addRow("event completed over many chunks")
        << QByteArrayList{"ev", "ent: x\nda", "ta: 1", "\n", "\n"} << Messages{message("1", "x")};
}

void tst_SseParser::chunkBoundaries()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(Messages, messages);

    const Outcome outcome = ::parse(chunks);
    QCOMPARE(outcome.messages, messages);
    QVERIFY(!outcome.error);
}

void tst_SseParser::lineTooLong_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<Messages>("messages");
    QTest::addColumn<bool>("error");

    // Limit 8 bytes: "data: ab" fits exactly.
    QTest::addRow("line at the limit accepted")
        << QByteArrayList{"data: ab\n\n"} << Messages{message("ab")} << false;
    QTest::addRow("unfinished line over the limit")
        << QByteArrayList{"data: abc"} << Messages{} << true;
    QTest::addRow("line grows over the limit across chunks")
        << QByteArrayList{"data: ", "ab", "c"} << Messages{} << true;
    QTest::addRow("complete line over the limit in one chunk")
        << QByteArrayList{"data: abcdef\n\n"} << Messages{} << true;
    QTest::addRow("complete line over the limit then more")
        << QByteArrayList{"data: abcdef\ndata: b\n\n"} << Messages{} << true;
    QTest::addRow("events before the long line delivered")
        << QByteArrayList{"data: a\n\ndata: abcdefgh"} << Messages{message("a")} << true;
    QTest::addRow("nothing after the error")
        << QByteArrayList{"data: abcdefgh", "\n\n", "data: b\n\n"} << Messages{} << true;
    QTest::addRow("many short lines never error")
        << QByteArrayList{"data: a\ndata: b\ndata: c\ndata: d\n\n"}
        << Messages{message("a\nb\nc\nd")} << false;
}

void tst_SseParser::lineTooLong()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(Messages, messages);
    QFETCH(bool, error);

    const qsizetype maxLineBytes = 8;
    const Outcome whole = ::parse(chunks, maxLineBytes);
    QCOMPARE(whole.error, error);
    QCOMPARE(whole.messages, messages);

    const Outcome byteByByte = ::parse(bytesOf(chunks.join()), maxLineBytes);
    QCOMPARE(byteByByte.error, error);
    QCOMPARE(byteByByte.messages, messages);
}

// WHATWG: the last event ID string is set from the buffer only when a blank line dispatches.
void tst_SseParser::lastEventIdOnlyChangesOnDispatch()
{
    SseParser parser;
    QVERIFY(parser.feed("id: 1\ndata: a\n").isEmpty());
    QCOMPARE(parser.lastEventId(), QString());
    const Messages messages = parser.feed("\n");
    QCOMPARE(messages, Messages{message("a", "message", "1")});
    QCOMPARE(parser.lastEventId(), QStringLiteral("1"));
}

void tst_SseParser::retryTakesEffectWithoutDispatch()
{
    SseParser parser;
    QCOMPARE(parser.retryMs(), qint64(-1));
    parser.feed("retry: 3000\n");
    QCOMPARE(parser.retryMs(), qint64(3000));
}

// Too many digits for 64 bits: whatever the parser keeps, it must not wrap to a small value.
void tst_SseParser::retryOverflowDoesNotWrap()
{
    SseParser parser;
    parser.feed("retry: 3000\n");
    parser.feed("retry: 99999999999999999999999999\n");
    QVERIFY2(parser.retryMs() >= 3000, QByteArray::number(parser.retryMs()));
}

QTEST_APPLESS_MAIN(tst_SseParser)
#include "tst_sseparser.moc"
