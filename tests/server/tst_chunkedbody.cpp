#include "chunkedbody.h"

#include <QTest>

using State = ChunkedBody::State;
Q_DECLARE_METATYPE(ChunkedBody::State)

namespace {

const char *stateName(State state)
{
    switch (state) {
    case State::Reading:
        return "Reading";
    case State::Done:
        return "Done";
    case State::Malformed:
        return "Malformed";
    }
    return "invalid";
}

// A chunk-size line of exactly `bytes` bytes, CRLF included: "4;" and an extension padded
// with 'x', for a chunk of four bytes.
QByteArray sizeLineOf(qsizetype bytes)
{
    const QByteArray start = "4;ext=";
    return start + QByteArray(bytes - start.size() - 2, 'x') + "\r\n";
}


} // namespace

// Where a chunked request body ends (RFC 9112 section 7.1) and whether it is well-formed.
class tst_ChunkedBody final : public QObject
{
    Q_OBJECT

private slots:
    void wholeBody_data();
    void wholeBody();
    void byteByByte_data() { wholeBody_data(); }
    void byteByByte();
    void stopsAtTheNextRequest_data();
    void stopsAtTheNextRequest();
    void consumesNothingOnceEnded_data();
    void consumesNothingOnceEnded();
};

void tst_ChunkedBody::wholeBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<State>("state");
    QTest::addColumn<qint64>("dataBytes"); // for bodies that are not malformed

    QTest::addRow("two chunks") << QByteArray("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n") << State::Done << qint64(9);
    QTest::addRow("empty body") << QByteArray("0\r\n\r\n") << State::Done << qint64(0);
    QTest::addRow("hex sizes, both cases") << "a\r\n" + QByteArray(10, 'd') + "\r\n1F\r\n" + QByteArray(31, 'e')
                                                  + "\r\n0\r\n\r\n"
                                           << State::Done << qint64(41);
    QTest::addRow("leading zeros") << QByteArray("0004\r\nWiki\r\n000\r\n\r\n") << State::Done << qint64(4);
    QTest::addRow("15 hex digits of size, not all sent") << QByteArray("00000000000000f\r\nabc") << State::Reading
                                                         << qint64(15);
    QTest::addRow("chunk data holding CRLF") << QByteArray("6\r\na\r\n\r\nb\r\n0\r\n\r\n") << State::Done
                                             << qint64(6);
    QTest::addRow("chunk extensions") << QByteArray("4;name=value\r\nWiki\r\n5;a;b=\"c d\"\r\npedia\r\n0;last\r\n\r\n")
                                      << State::Done << qint64(9);
    QTest::addRow("size line of 4096 bytes") << sizeLineOf(4096) + "Wiki\r\n0\r\n\r\n" << State::Done << qint64(4);
    QTest::addRow("cut after the size line") << QByteArray("4\r\n") << State::Reading << qint64(4);
    QTest::addRow("cut inside the data") << QByteArray("4\r\nWi") << State::Reading << qint64(4);
    QTest::addRow("cut before the last blank line") << QByteArray("4\r\nWiki\r\n0\r\n") << State::Reading << qint64(4);
    QTest::addRow("cut inside a size line") << QByteArray("4\r\nWiki\r\n1") << State::Reading << qint64(4);

    QTest::addRow("non-hex size") << QByteArray("zz\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("size with a 0x prefix") << QByteArray("0x4\r\nWiki\r\n0\r\n\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("negative size") << QByteArray("-4\r\nWiki\r\n0\r\n\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("empty size line") << QByteArray("\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("empty size with an extension") << QByteArray(";ext\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("16 hex digits of size") << QByteArray("000000000000000f\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("size line ended by a bare LF") << QByteArray("4\nWiki\r\n0\r\n\r\n") << State::Malformed
                                                  << qint64(-1);
    QTest::addRow("data longer than its size") << QByteArray("4\r\nWikipedia\r\n0\r\n\r\n") << State::Malformed
                                               << qint64(-1);
    QTest::addRow("no CRLF after the data") << QByteArray("4\r\nWiki5\r\npedia\r\n0\r\n\r\n") << State::Malformed
                                            << qint64(-1);
    QTest::addRow("bare LF after the data") << QByteArray("4\r\nWiki\n0\r\n\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("size line of 4097 bytes") << sizeLineOf(4097) + "Wiki\r\n0\r\n\r\n" << State::Malformed
                                             << qint64(-1);
    QTest::addRow("size line of 1 MiB") << "4;" + QByteArray(1024 * 1024, 'x') << State::Malformed << qint64(-1);
    // Qt 6.4 answers at the first byte of a trailer field and reads on its own way.
    QTest::addRow("trailer field") << QByteArray("4\r\nWiki\r\n0\r\nExpires: never\r\n\r\n") << State::Malformed
                                   << qint64(-1);
    QTest::addRow("trailer that is a request line")
        << QByteArray("0\r\nGET /x: HTTP/1.1\r\nHost: a\r\n\r\n") << State::Malformed << qint64(-1);
    QTest::addRow("one byte of a trailer") << QByteArray("0\r\nX") << State::Malformed << qint64(-1);
    QTest::addRow("CR and another byte after the last chunk") << QByteArray("0\r\n\rX") << State::Malformed
                                                               << qint64(-1);
}

void tst_ChunkedBody::wholeBody()
{
    QFETCH(QByteArray, body);
    QFETCH(State, state);
    QFETCH(qint64, dataBytes);

    ChunkedBody chunked;
    const qsizetype used = chunked.feed(body);
    QCOMPARE(stateName(chunked.state()), stateName(state));
    if (state != State::Malformed) {
        QCOMPARE(used, body.size());
        QCOMPARE(chunked.dataBytes(), dataBytes);
    } else {
        // A line over the bound is refused before it ends: the rest is never looked at.
        QVERIFY(used <= body.size());
        QVERIFY(used <= 4097 + 3);
    }
}

void tst_ChunkedBody::byteByByte()
{
    QFETCH(QByteArray, body);
    QFETCH(State, state);
    QFETCH(qint64, dataBytes);

    ChunkedBody whole;
    const qsizetype usedWhole = whole.feed(body);

    ChunkedBody chunked;
    qsizetype used = 0;
    for (qsizetype i = 0; i < body.size(); ++i) {
        const qsizetype took = chunked.feed(QByteArrayView(body).sliced(i, 1));
        QVERIFY(took == 0 || took == 1);
        // Nothing is taken once the body has ended or is known to be malformed.
        QVERIFY2(took == 1 || chunked.state() != State::Reading, qPrintable(QString::number(i)));
        used += took;
    }
    QCOMPARE(stateName(chunked.state()), stateName(state));
    QCOMPARE(used, usedWhole);
    if (state != State::Malformed)
        QCOMPARE(chunked.dataBytes(), dataBytes);
}

void tst_ChunkedBody::stopsAtTheNextRequest_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("dataBytes");

    QTest::addRow("two chunks") << QByteArray("4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n") << qint64(9);
    QTest::addRow("empty body") << QByteArray("0\r\n\r\n") << qint64(0);
    QTest::addRow("extension on the last chunk") << QByteArray("3\r\nabc\r\n0;x=y\r\n\r\n") << qint64(3);
}

void tst_ChunkedBody::stopsAtTheNextRequest()
{
    QFETCH(QByteArray, body);
    QFETCH(qint64, dataBytes);
    const QByteArray next = "GET /eventsource HTTP/1.1\r\nHost: a\r\n\r\n";

    ChunkedBody whole;
    QCOMPARE(whole.feed(body + next), body.size());
    QCOMPARE(stateName(whole.state()), stateName(State::Done));
    QCOMPARE(whole.dataBytes(), dataBytes);

    // The same when the body ends in the middle of a segment fed later.
    ChunkedBody split;
    const qsizetype half = body.size() / 2;
    QCOMPARE(split.feed(body.first(half)), half);
    QCOMPARE(stateName(split.state()), stateName(State::Reading));
    QCOMPARE(split.feed(body.sliced(half) + next), body.size() - half);
    QCOMPARE(stateName(split.state()), stateName(State::Done));
    QCOMPARE(split.dataBytes(), dataBytes);
}

void tst_ChunkedBody::consumesNothingOnceEnded_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<State>("state");

    QTest::addRow("done") << QByteArray("0\r\n\r\n") << State::Done;
    QTest::addRow("malformed") << QByteArray("zz\r\n") << State::Malformed;
}

void tst_ChunkedBody::consumesNothingOnceEnded()
{
    QFETCH(QByteArray, body);
    QFETCH(State, state);

    ChunkedBody chunked;
    chunked.feed(body);
    QCOMPARE(stateName(chunked.state()), stateName(state));
    const qint64 dataBytes = chunked.dataBytes();
    QCOMPARE(chunked.feed("4\r\nWiki\r\n0\r\n\r\n"), 0);
    QCOMPARE(stateName(chunked.state()), stateName(state));
    QCOMPARE(chunked.dataBytes(), dataBytes);
}

QTEST_APPLESS_MAIN(tst_ChunkedBody)
#include "tst_chunkedbody.moc"
