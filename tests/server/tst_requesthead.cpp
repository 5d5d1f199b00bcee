#include "requesthead.h"

#include <QTest>

using Framing = RequestHead::Framing;
Q_DECLARE_METATYPE(RequestHead::Framing)

namespace {

// A head as SocketGuard hands it to parse(): CRLF line ends, without the blank line that
// ends it (so the last header line has no CRLF either).
QByteArray head(const QByteArray &requestLine, const QByteArrayList &headerLines = {})
{
    QByteArray text = requestLine;
    for (const QByteArray &line : headerLines)
        text += "\r\n" + line;
    return text;
}

const char *framingName(Framing framing)
{
    switch (framing) {
    case Framing::None:
        return "None";
    case Framing::Length:
        return "Length";
    case Framing::Chunked:
        return "Chunked";
    }
    return "invalid";
}

} // namespace

// RFC 9112 strictness of the request heads the listener lets through to QtHttpServer.
class tst_RequestHead final : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void findEnd_data();
    void findEnd();
};

void tst_RequestHead::accepted_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<Framing>("framing");
    QTest::addColumn<qint64>("contentLength");
    QTest::addColumn<bool>("expectContinue");
    QTest::addColumn<bool>("upgrade");

    QTest::addRow("GET HTTP/1.1 with Host")
        << head("GET /eventsource HTTP/1.1", {"Host: 127.0.0.1:8080", "Accept: text/event-stream"})
        << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("GET HTTP/1.1, only a Host line") << head("GET / HTTP/1.1", {"Host: a"})
                                                    << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("GET HTTP/1.0 without Host") << head("GET /eventsource HTTP/1.0")
                                               << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("GET HTTP/1.0 with a header") << head("GET /eventsource HTTP/1.0", {"User-Agent: old"})
                                                << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("HTTP/1.0 asking keep-alive still closes")
        << head("GET / HTTP/1.0", {"Connection: keep-alive"}) << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("Connection: close") << head("GET / HTTP/1.1", {"Host: a", "Connection: close"})
                                       << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("Connection: CLOSE") << head("GET / HTTP/1.1", {"Host: a", "Connection: CLOSE"})
                                       << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("Connection: keep-alive, close")
        << head("GET / HTTP/1.1", {"Host: a", "Connection: keep-alive, close"})
        << false << Framing::None << qint64(0) << false << false;
    QTest::addRow("Connection: keep-alive") << head("GET / HTTP/1.1", {"Host: a", "Connection: keep-alive"})
                                            << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("Connection: closed is not close")
        << head("GET / HTTP/1.1", {"Host: a", "Connection: closed"})
        << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("POST with Content-Length")
        << head("POST /login HTTP/1.1", {"Host: a", "Content-Type: application/json", "Content-Length: 42"})
        << true << Framing::Length << qint64(42) << false << false;
    QTest::addRow("Content-Length: 0") << head("POST /login HTTP/1.1", {"Host: a", "Content-Length: 0"})
                                       << true << Framing::Length << qint64(0) << false << false;
    QTest::addRow("two equal Content-Length")
        << head("POST /login HTTP/1.1", {"Host: a", "Content-Length: 7", "content-length: 7"})
        << true << Framing::Length << qint64(7) << false << false;
    QTest::addRow("POST chunked") << head("POST /login HTTP/1.1", {"Host: a", "Transfer-Encoding: chunked"})
                                  << true << Framing::Chunked << qint64(0) << false << false;
    QTest::addRow("Transfer-Encoding: CHUNKED")
        << head("POST /login HTTP/1.1", {"Host: a", "transfer-encoding: CHUNKED"})
        << true << Framing::Chunked << qint64(0) << false << false;
    QTest::addRow("Expect: 100-continue")
        << head("POST /api/push HTTP/1.1", {"Host: a", "Content-Length: 10", "Expect: 100-continue"})
        << true << Framing::Length << qint64(10) << true << false;
    QTest::addRow("Expect: something else")
        << head("POST /api/push HTTP/1.1", {"Host: a", "Content-Length: 10", "Expect: 200-ok"})
        << true << Framing::Length << qint64(10) << false << false;
    QTest::addRow("WebSocket upgrade")
        << head("GET /control HTTP/1.1", {"Host: a", "Upgrade: websocket", "Connection: Upgrade",
                                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"})
        << true << Framing::None << qint64(0) << false << true;
    QTest::addRow("leading CRLF") << "\r\n" + head("GET / HTTP/1.1", {"Host: a"})
                                  << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("two leading CRLF") << "\r\n\r\n" + head("GET / HTTP/1.1", {"Host: a"})
                                      << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("empty header value") << head("GET / HTTP/1.1", {"Host: a", "X-Empty:"})
                                        << true << Framing::None << qint64(0) << false << false;
    QTest::addRow("tab and obs-text in a value") << head("GET / HTTP/1.1", {"Host: a", "X-Text: a\tb \xe9"})
                                                 << true << Framing::None << qint64(0) << false << false;
}

void tst_RequestHead::accepted()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, keepAlive);
    QFETCH(Framing, framing);
    QFETCH(qint64, contentLength);
    QFETCH(bool, expectContinue);
    QFETCH(bool, upgrade);

    const RequestHead parsed = RequestHead::parse(text);
    QVERIFY2(parsed.isAcceptable(), parsed.message.constData());
    QCOMPARE(parsed.status, 0);
    QCOMPARE(parsed.keepAlive, keepAlive);
    QCOMPARE(framingName(parsed.framing), framingName(framing));
    QCOMPARE(parsed.contentLength, contentLength);
    QCOMPARE(parsed.expectContinue, expectContinue);
    QCOMPARE(parsed.upgrade, upgrade);
}

void tst_RequestHead::refused_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("status");

    const QByteArrayList host{"Host: a"};
    // Versions.
    QTest::addRow("HTTP/7.3") << head("GET /eventsource HTTP/7.3", host) << 505;
    QTest::addRow("HTTP/2.0") << head("GET /eventsource HTTP/2.0", host) << 505;
    QTest::addRow("HTTP/0.9") << head("GET /eventsource HTTP/0.9", host) << 505;
    QTest::addRow("HTTP/1") << head("GET /eventsource HTTP/1", host) << 400;
    QTest::addRow("HTTX/1.1") << head("GET /eventsource HTTX/1.1", host) << 400;
    QTest::addRow("HTTP/1.1x") << head("GET /eventsource HTTP/1.1x", host) << 400;
    QTest::addRow("http/1.1 lowercase") << head("GET /eventsource http/1.1", host) << 400;
    QTest::addRow("HTTP/1,1") << head("GET /eventsource HTTP/1,1", host) << 400;
    QTest::addRow("HTTP/a.1") << head("GET /eventsource HTTP/a.1", host) << 400;
    // Request line.
    QTest::addRow("two spaces after the method") << head("GET  /eventsource HTTP/1.1", host) << 400;
    QTest::addRow("two spaces before the version") << head("GET /eventsource  HTTP/1.1", host) << 400;
    QTest::addRow("trailing space") << head("GET /eventsource HTTP/1.1 ", host) << 400;
    QTest::addRow("no version") << head("GET /eventsource", host) << 400;
    QTest::addRow("method only") << head("GET", host) << 400;
    QTest::addRow("space in the target") << head("GET /event source HTTP/1.1", host) << 400;
    QTest::addRow("tab in the target") << head("GET /event\tsource HTTP/1.1", host) << 400;
    QTest::addRow("method not a token") << head("G(T /eventsource HTTP/1.1", host) << 400;
    // Header lines.
    QTest::addRow("header line without colon") << head("GET / HTTP/1.1", {"Host: a", "X-No-Colon"}) << 400;
    QTest::addRow("space before the colon") << head("GET / HTTP/1.1", {"Host: a", "X-Space : b"}) << 400;
    QTest::addRow("space before the colon of Host") << head("GET / HTTP/1.1", {"Host : a"}) << 400;
    QTest::addRow("empty header name") << head("GET / HTTP/1.1", {"Host: a", ": b"}) << 400;
    QTest::addRow("folded with a space") << head("GET / HTTP/1.1", {"Host: a", "X-Long: one", " two"}) << 400;
    QTest::addRow("folded with a tab") << head("GET / HTTP/1.1", {"Host: a", "X-Long: one", "\ttwo"}) << 400;
    QTest::addRow("first header folded") << head("GET / HTTP/1.1", {" Host: a"}) << 400;
    QTest::addRow("NUL in a value") << head("GET / HTTP/1.1", {"Host: a", QByteArray("X-Nul: a\0b", 10)}) << 400;
    QTest::addRow("\\x01 in a value") << head("GET / HTTP/1.1", {"Host: a", "X-Ctl: a\x01z"}) << 400;
    QTest::addRow("bare CR in a value") << head("GET / HTTP/1.1", {"Host: a", "X-Cr: a\rb"}) << 400;
    // Found by fuzz_requesthead: trimming the value dropped a bare CR at either end.
    QTest::addRow("bare CR ending the last value") << QByteArray("GET / HTTP/1.1\r\nHost: a\r") << 400;
    QTest::addRow("bare CR starting a value") << head("GET / HTTP/1.1", {"Host: a", "X-Cr: \ra"}) << 400;
    QTest::addRow("DEL in a value") << head("GET / HTTP/1.1", {"Host: a", "X-Del: a\x7f"}) << 400;
    QTest::addRow("bare LF line endings") << QByteArray("GET / HTTP/1.1\nHost: a\nAccept: */*") << 400;
    QTest::addRow("one bare LF among CRLF") << QByteArray("GET / HTTP/1.1\r\nHost: a\nAccept: */*") << 400;
    QTest::addRow("bare LF after the request line") << QByteArray("GET / HTTP/1.0\nAccept: */*") << 400;
    // Host.
    QTest::addRow("HTTP/1.1 without Host") << head("GET / HTTP/1.1", {"Accept: */*"}) << 400;
    QTest::addRow("HTTP/1.1, no header at all") << head("GET / HTTP/1.1") << 400;
    QTest::addRow("two Host headers") << head("GET / HTTP/1.1", {"Host: a", "Host: b"}) << 400;
    QTest::addRow("two equal Host headers") << head("GET / HTTP/1.1", {"Host: a", "host: a"}) << 400;
    // Content-Length.
    QTest::addRow("Content-Length not digits") << head("POST / HTTP/1.1", {"Host: a", "Content-Length: abc"}) << 400;
    QTest::addRow("Content-Length hex") << head("POST / HTTP/1.1", {"Host: a", "Content-Length: 0x10"}) << 400;
    QTest::addRow("Content-Length negative") << head("POST / HTTP/1.1", {"Host: a", "Content-Length: -1"}) << 400;
    QTest::addRow("Content-Length with a sign") << head("POST / HTTP/1.1", {"Host: a", "Content-Length: +5"}) << 400;
    QTest::addRow("Content-Length empty") << head("POST / HTTP/1.1", {"Host: a", "Content-Length:"}) << 400;
    QTest::addRow("Content-Length list") << head("POST / HTTP/1.1", {"Host: a", "Content-Length: 5, 5"}) << 400;
    QTest::addRow("Content-Length 19 digits")
        << head("POST / HTTP/1.1", {"Host: a", "Content-Length: 1000000000000000000"}) << 400;
    QTest::addRow("two different Content-Length")
        << head("POST / HTTP/1.1", {"Host: a", "Content-Length: 5", "Content-Length: 6"}) << 400;
    // Transfer-Encoding.
    QTest::addRow("Transfer-Encoding: gzip") << head("POST / HTTP/1.1", {"Host: a", "Transfer-Encoding: gzip"}) << 501;
    QTest::addRow("Transfer-Encoding: chunked, gzip")
        << head("POST / HTTP/1.1", {"Host: a", "Transfer-Encoding: chunked, gzip"}) << 501;
    QTest::addRow("Transfer-Encoding: gzip, chunked")
        << head("POST / HTTP/1.1", {"Host: a", "Transfer-Encoding: gzip, chunked"}) << 501;
    QTest::addRow("Transfer-Encoding twice")
        << head("POST / HTTP/1.1", {"Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"}) << 501;
    QTest::addRow("Transfer-Encoding and Content-Length")
        << head("POST / HTTP/1.1", {"Host: a", "Transfer-Encoding: chunked", "Content-Length: 5"}) << 400;
    QTest::addRow("Content-Length and Transfer-Encoding")
        << head("POST / HTTP/1.1", {"Host: a", "Content-Length: 5", "Transfer-Encoding: chunked"}) << 400;
    QTest::addRow("Transfer-Encoding in HTTP/1.0") << head("POST / HTTP/1.0", {"Transfer-Encoding: chunked"}) << 400;
    QTest::addRow("empty Upgrade") << head("GET / HTTP/1.1", {"Host: a", "Upgrade: "}) << 400;
    QTest::addRow("two Upgrade headers")
        << head("GET / HTTP/1.1", {"Host: a", "Upgrade: websocket", "Upgrade: h2c"}) << 400;
    QTest::addRow("upgrade with a chunked body")
        << head("GET /control HTTP/1.1", {"Host: a", "Upgrade: websocket", "Transfer-Encoding: chunked"}) << 400;
    QTest::addRow("upgrade with a Content-Length body")
        << head("GET /control HTTP/1.1", {"Host: a", "Upgrade: websocket", "Content-Length: 4"}) << 400;
}

void tst_RequestHead::refused()
{
    QFETCH(QByteArray, text);
    QFETCH(int, status);

    const RequestHead parsed = RequestHead::parse(text);
    QVERIFY(!parsed.isAcceptable());
    QCOMPARE(parsed.status, status);
    QVERIFY(!parsed.message.isEmpty());
    // A refused request is answered and the connection closed.
    QCOMPARE(parsed.keepAlive, false);
}

void tst_RequestHead::findEnd_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("end");
    QTest::addColumn<bool>("bare");
    QTest::addRow("CRLF CRLF") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\nnext") << 0 << 23 << false;
    QTest::addRow("not ended") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n") << 0 << -1 << false;
    QTest::addRow("blank line's CR last") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r") << 0 << -1 << false;
    QTest::addRow("found from 3 before the last look")
        << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\r\n") << 22 << 23 << false;
    // Where QtHttpServer 6.4 ends the head too.
    QTest::addRow("LF LF") << QByteArray("GET / HTTP/1.1\r\nHost: a\n\nGET") << 0 << 23 << true;
    QTest::addRow("LF CRLF") << QByteArray("GET / HTTP/1.1\r\nHost: a\n\r\n") << 0 << 23 << true;
    QTest::addRow("CRLF CR and another byte") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\n\rX") << 0 << 24 << true;
    QTest::addRow("request line ended by LF LF") << QByteArray("GET / HTTP/1.1\n\n") << 0 << 14 << true;
    QTest::addRow("bare LF inside, CRLF CRLF after")
        << QByteArray("GET / HTTP/1.1\nHost: a\r\n\r\n") << 0 << 22 << false;
}

void tst_RequestHead::findEnd()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, from);
    QFETCH(int, end);
    QFETCH(bool, bare);
    bool gotBare = !bare;
    QCOMPARE(RequestHead::findEnd(bytes, from, &gotBare), qsizetype(end));
    QCOMPARE(gotBare, bare);
}

QTEST_APPLESS_MAIN(tst_RequestHead)
#include "tst_requesthead.moc"
