#include "sseencoder.h"

#include "event.h"
#include "sseparser.h"

#include <QByteArrayList>
#include <QStringDecoder>
#include <QTest>

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

// What an EventSource client rebuilds from a payload: every CRLF, CR and LF becomes LF. Only
// the stream's first BOM is dropped (WHATWG), so a payload's leading U+FEFF must survive:
// decode with ConvertInitialBom, not QString::fromUtf8, which strips it.
QString normalised(const QByteArray &payload)
{
    QByteArray text = payload;
    text.replace("\r\n", "\n").replace('\r', '\n');
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder(text);
}

// Payloads built to break framing: line breaks of every kind, field look-alikes, blank lines.
void addTrickyPayloads()
{
    QTest::addColumn<QByteArray>("payload");

    QTest::addRow("plain") << QByteArray("hello");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("leading space") << QByteArray(" hello");
    QTest::addRow("leading spaces and tab") << QByteArray("  \thello");
    QTest::addRow("only LF") << QByteArray("\n");
    QTest::addRow("only CR") << QByteArray("\r");
    QTest::addRow("only CRLF") << QByteArray("\r\n");
    QTest::addRow("LF CR") << QByteArray("\n\r");
    QTest::addRow("trailing LF") << QByteArray("a\n");
    QTest::addRow("trailing CRLF") << QByteArray("a\r\n");
    QTest::addRow("leading LF") << QByteArray("\na");
    QTest::addRow("blank lines inside") << QByteArray("a\n\n\nb");
    QTest::addRow("mixed line breaks") << QByteArray("a\r\nb\rc\nd\r\r\ne");
    QTest::addRow("event injection") << QByteArray("x\n\nevent: admin\ndata: pwned");
    QTest::addRow("event injection with CR") << QByteArray("x\r\revent: admin\rdata: pwned");
    QTest::addRow("event injection with CRLF")
        << QByteArray("x\r\n\r\nevent: admin\r\ndata: pwned\r\n\r\n");
    QTest::addRow("id injection") << QByteArray("x\nid: 999\n\n");
    QTest::addRow("retry injection") << QByteArray("x\n\nretry: 1\n\n");
    QTest::addRow("comment look-alike") << QByteArray(":not a comment\n: nor this");
    QTest::addRow("field look-alike at start") << QByteArray("data: nested");
    QTest::addRow("colons") << QByteArray("a:b: c::");
    QTest::addRow("JSON") << QByteArray("{\"a\": [1, 2],\n \"b\": \"x\\ny\"}");
    QTest::addRow("UTF-8") << QByteArray("\xE2\x82\xAC \xF0\x9F\x98\x80 \xC3\xA9");
    QTest::addRow("BOM at start") << QByteArray("\xEF\xBB\xBF" "a");
    QTest::addRow("BOM after a line break") << QByteArray("a\n\xEF\xBB\xBF" "b");
    QTest::addRow("long line") << QByteArray(100000, 'x');
}

Messages parseAll(const QByteArray &stream)
{
    SseParser parser;
    return parser.feed(stream);
}

} // namespace

class tst_SseEncoder final : public QObject
{
    Q_OBJECT

private slots:
    void isSingleLine_data();
    void isSingleLine();
    void event_data();
    void event();
    void eventRefused_data();
    void eventRefused();
    void injection_data() { addTrickyPayloads(); }
    void injection();
    void roundTrip_data() { addTrickyPayloads(); }
    void roundTrip();
    void retry_data();
    void retry();
    void idOnly_data();
    void idOnly();
    void comment_data();
    void comment();
    void eventNames_data();
    void eventNames();
};

void tst_SseEncoder::isSingleLine_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("singleLine");

    QTest::addRow("empty") << QByteArray() << true;
    QTest::addRow("plain") << QByteArray("abc 123") << true;
    QTest::addRow("tab and colon") << QByteArray("a\tb:c") << true;
    QTest::addRow("UTF-8") << QByteArray("\xC3\xA9") << true;
    QTest::addRow("LF") << QByteArray("a\nb") << false;
    QTest::addRow("CR") << QByteArray("a\rb") << false;
    QTest::addRow("trailing CRLF") << QByteArray("a\r\n") << false;
    QTest::addRow("NUL") << raw("a\0b") << false;
    QTest::addRow("leading NUL") << raw("\0") << false;
}

void tst_SseEncoder::isSingleLine()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, singleLine);

    QCOMPARE(SseEncoder::isSingleLine(value), singleLine);
}

void tst_SseEncoder::event_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("frame");

    QTest::addRow("plain data")
        << QByteArray() << QByteArray() << QByteArray("hello") << QByteArray("data: hello\n\n");
    QTest::addRow("empty data is one data line")
        << QByteArray() << QByteArray() << QByteArray() << QByteArray("data: \n\n");
    QTest::addRow("leading space preserved")
        << QByteArray() << QByteArray() << QByteArray(" a") << QByteArray("data:  a\n\n");
    QTest::addRow("split on LF")
        << QByteArray() << QByteArray() << QByteArray("a\nb")
        << QByteArray("data: a\ndata: b\n\n");
    QTest::addRow("split on CR")
        << QByteArray() << QByteArray() << QByteArray("a\rb")
        << QByteArray("data: a\ndata: b\n\n");
    QTest::addRow("split on CRLF")
        << QByteArray() << QByteArray() << QByteArray("a\r\nb")
        << QByteArray("data: a\ndata: b\n\n");
    QTest::addRow("LF CR is two breaks")
        << QByteArray() << QByteArray() << QByteArray("a\n\rb")
        << QByteArray("data: a\ndata: \ndata: b\n\n");
    QTest::addRow("mixed breaks")
        << QByteArray() << QByteArray() << QByteArray("a\r\nb\rc\nd")
        << QByteArray("data: a\ndata: b\ndata: c\ndata: d\n\n");
    QTest::addRow("blank line in data")
        << QByteArray() << QByteArray() << QByteArray("a\n\nb")
        << QByteArray("data: a\ndata: \ndata: b\n\n");
    QTest::addRow("trailing LF")
        << QByteArray() << QByteArray() << QByteArray("a\n")
        << QByteArray("data: a\ndata: \n\n");
    QTest::addRow("trailing CRLF")
        << QByteArray() << QByteArray() << QByteArray("a\r\n")
        << QByteArray("data: a\ndata: \n\n");
    QTest::addRow("id line")
        << QByteArray("42") << QByteArray() << QByteArray("x")
        << QByteArray("id: 42\ndata: x\n\n");
    QTest::addRow("event line")
        << QByteArray() << QByteArray("update") << QByteArray("x")
        << QByteArray("event: update\ndata: x\n\n");
    QTest::addRow("id and event lines")
        << QByteArray("42") << QByteArray("update") << QByteArray("a\nb")
        << QByteArray("id: 42\nevent: update\ndata: a\ndata: b\n\n");
    QTest::addRow("id with leading space")
        << QByteArray(" 7") << QByteArray() << QByteArray("x")
        << QByteArray("id:  7\ndata: x\n\n");
    QTest::addRow("UTF-8 passes through")
        << QByteArray("\xC3\xA9") << QByteArray("\xE2\x82\xAC") << QByteArray("\xF0\x9F\x98\x80")
        << QByteArray("id: \xC3\xA9\nevent: \xE2\x82\xAC\ndata: \xF0\x9F\x98\x80\n\n");
}

void tst_SseEncoder::event()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, frame);

    const std::optional<QByteArray> encoded = SseEncoder::event(id, name, data);
    QVERIFY(encoded.has_value());
    QCOMPARE(*encoded, frame);
}

void tst_SseEncoder::eventRefused_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");

    QTest::addRow("LF in id") << QByteArray("1\n2") << QByteArray() << QByteArray("x");
    QTest::addRow("CR in id") << QByteArray("1\r2") << QByteArray() << QByteArray("x");
    QTest::addRow("trailing CRLF in id") << QByteArray("1\r\n") << QByteArray() << QByteArray("x");
    QTest::addRow("NUL in id") << raw("1\0002") << QByteArray() << QByteArray("x");
    QTest::addRow("LF in name") << QByteArray() << QByteArray("a\ndata: x") << QByteArray("x");
    QTest::addRow("CR in name") << QByteArray() << QByteArray("a\rb") << QByteArray("x");
    QTest::addRow("NUL in name") << QByteArray() << raw("a\0b") << QByteArray("x");
    QTest::addRow("NUL in data") << QByteArray() << QByteArray() << raw("a\0b");
    QTest::addRow("NUL alone in data") << QByteArray() << QByteArray() << raw("\0");
    QTest::addRow("NUL at end of data") << QByteArray("1") << QByteArray("n") << raw("a\n\0");
}

void tst_SseEncoder::eventRefused()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);

    const std::optional<QByteArray> encoded = SseEncoder::event(id, name, data);
    QVERIFY2(!encoded.has_value(), encoded.value_or(QByteArray()).toPercentEncoding());
}

// Whatever the payload, the frame is header lines plus "data: " lines and one final blank
// line, and a client sees exactly one event carrying the payload.
void tst_SseEncoder::injection()
{
    QFETCH(QByteArray, payload);

    const std::optional<QByteArray> frame = SseEncoder::event("17", "notice", payload);
    QVERIFY(frame.has_value());

    QVERIFY(frame->endsWith("\n\n"));
    QVERIFY(!frame->contains('\r'));
    QByteArrayList lines = frame->chopped(2).split('\n');
    QCOMPARE(lines.takeFirst(), QByteArray("id: 17"));
    QCOMPARE(lines.takeFirst(), QByteArray("event: notice"));
    QCOMPARE(lines.size(), normalised(payload).count(QLatin1Char('\n')) + 1);
    for (const QByteArray &line : std::as_const(lines))
        QVERIFY2(line.startsWith("data: "), line.left(80));

    SseParser parser;
    const Messages messages = parser.feed(*frame);
    const SseMessage expected{QStringLiteral("notice"), normalised(payload),
                              QStringLiteral("17")};
    QCOMPARE(messages, Messages{expected});
    QCOMPARE(parser.lastEventId(), QStringLiteral("17"));
    QCOMPARE(parser.retryMs(), qint64(-1));
    QCOMPARE(parser.commentCount(), qint64(0));
    QVERIFY(!parser.hasError());
}

// Property: parse(encode(x)) == x with line breaks normalised to LF, and frames are
// self-delimiting (two frames back to back give two events).
void tst_SseEncoder::roundTrip()
{
    QFETCH(QByteArray, payload);

    const std::optional<QByteArray> frame = SseEncoder::event({}, {}, payload);
    QVERIFY(frame.has_value());
    const SseMessage expected{QStringLiteral("message"), normalised(payload), QString()};
    QCOMPARE(parseAll(*frame), Messages{expected});
    QCOMPARE(parseAll(*frame + *frame), (Messages{expected, expected}));
}

void tst_SseEncoder::retry_data()
{
    QTest::addColumn<int>("milliseconds");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<qint64>("parsedRetryMs");

    QTest::addRow("positive") << 3000 << QByteArray("retry: 3000\n\n") << qint64(3000);
    QTest::addRow("zero") << 0 << QByteArray("retry: 0\n\n") << qint64(0);
    QTest::addRow("int max") << std::numeric_limits<int>::max()
                             << QByteArray("retry: 2147483647\n\n") << qint64(2147483647);
    // A client ignores "retry: -5"; clamping keeps the field meaningful.
    QTest::addRow("negative clamped to zero") << -5 << QByteArray("retry: 0\n\n") << qint64(0);
}

void tst_SseEncoder::retry()
{
    QFETCH(int, milliseconds);
    QFETCH(QByteArray, frame);
    QFETCH(qint64, parsedRetryMs);

    const QByteArray encoded = SseEncoder::retry(milliseconds);
    QCOMPARE(encoded, frame);

    SseParser parser;
    QVERIFY(parser.feed(encoded).isEmpty());
    QCOMPARE(parser.retryMs(), parsedRetryMs);
}

void tst_SseEncoder::idOnly_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("frame");

    QTest::addRow("plain id") << QByteArray("42") << QByteArray("id: 42\n\n");
    QTest::addRow("empty id resets") << QByteArray() << QByteArray("id: \n\n");
    QTest::addRow("id with leading space") << QByteArray(" 42") << QByteArray("id:  42\n\n");
    QTest::addRow("LF refused") << QByteArray("4\n2") << QByteArray();
    QTest::addRow("CR refused") << QByteArray("4\r2") << QByteArray();
    QTest::addRow("CRLF refused") << QByteArray("42\r\n\r\ndata: x") << QByteArray();
    QTest::addRow("NUL refused") << raw("4\0" "2") << QByteArray();
}

void tst_SseEncoder::idOnly()
{
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, frame);

    const QByteArray encoded = SseEncoder::idOnly(id);
    QCOMPARE(encoded, frame);
    if (encoded.isEmpty())
        return;

    // A client moves its last event id and dispatches nothing.
    SseParser parser;
    QCOMPARE(parser.feed("id: old\ndata: x\n\n").size(), 1);
    QVERIFY(parser.feed(encoded).isEmpty());
    QCOMPARE(parser.lastEventId(), QString::fromUtf8(id));
}

void tst_SseEncoder::comment_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("lines");

    QTest::addRow("single line") << QByteArray("heartbeat") << QByteArray(":heartbeat\n");
    QTest::addRow("empty") << QByteArray() << QByteArray(":\n");
    QTest::addRow("leading space kept") << QByteArray(" hb") << QByteArray(": hb\n");
    QTest::addRow("split on LF") << QByteArray("a\nb") << QByteArray(":a\n:b\n");
    QTest::addRow("split on CR and CRLF")
        << QByteArray("a\r\nb\rc") << QByteArray(":a\n:b\n:c\n");
    QTest::addRow("blank line stays a comment")
        << QByteArray("a\n\nb") << QByteArray(":a\n:\n:b\n");
    QTest::addRow("trailing LF") << QByteArray("a\n") << QByteArray(":a\n:\n");
    QTest::addRow("injection stays commented")
        << QByteArray("x\n\ndata: pwned\n\n") << QByteArray(":x\n:\n:data: pwned\n:\n:\n");
    QTest::addRow("NUL replaced") << raw("a\0b") << QByteArray(":a b\n");
}

void tst_SseEncoder::comment()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, lines);

    const QByteArray encoded = SseEncoder::comment(text);
    QCOMPARE(encoded, lines);

    // Dropped into the middle of an event, comments neither end it nor add to it.
    SseParser parser;
    const Messages messages = parser.feed("data: a\n" + encoded + "data: b\n\n");
    const SseMessage expected{QStringLiteral("message"), QStringLiteral("a\nb"), QString()};
    QCOMPARE(messages, Messages{expected});
    QCOMPARE(parser.commentCount(), qint64(lines.count('\n')));
}

void tst_SseEncoder::eventNames_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QString>("error"); // a fragment of the message; empty when valid

    QTest::addRow("plain") << QByteArray("update") << QString();
    QTest::addRow("dotted") << QByteArray("user.created") << QString();
    QTest::addRow("empty means message") << QByteArray() << QString();
    QTest::addRow("UTF-8") << QByteArray("\xC3\xA9v\xC3\xA9nement") << QString();
    QTest::addRow("spaces and colon") << QByteArray("a b:c") << QString();
    QTest::addRow("at the length limit")
        << QByteArray(Event::maxNameBytes, 'n') << QString();
    QTest::addRow("one over the length limit")
        << QByteArray(Event::maxNameBytes + 1, 'n') << QStringLiteral("longer than 256");
    QTest::addRow("multi-byte over the limit in bytes")
        << QByteArray("\xC3\xA9").repeated(129) << QStringLiteral("longer than 256");
    QTest::addRow("LF") << QByteArray("a\nb") << QStringLiteral("CR, LF or NUL");
    QTest::addRow("CR") << QByteArray("a\rb") << QStringLiteral("CR, LF or NUL");
    QTest::addRow("NUL") << raw("a\0b") << QStringLiteral("CR, LF or NUL");
    QTest::addRow("comma") << QByteArray("a,b") << QStringLiteral("comma");
}

void tst_SseEncoder::eventNames()
{
    QFETCH(QByteArray, name);
    QFETCH(QString, error);

    const QString actual = Event::nameError(name);
    if (error.isEmpty())
        QCOMPARE(actual, QString());
    else
        QVERIFY2(actual.contains(error), qPrintable(actual));
}

QTEST_APPLESS_MAIN(tst_SseEncoder)
#include "tst_sseencoder.moc"
