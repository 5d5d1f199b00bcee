// The public and admin listeners against requests nobody well-behaved sends: a bad-input
// matrix read strictly by RFC 9112, the connection ends RFC 9112 asks for, and the limits an
// anonymous client would otherwise exhaust (streams per address, filter names, preflight
// headers, what a heartbeat tells). Every server here runs with a long request timeout, so
// an answer that arrives is the server's verdict, never the timeout's.
#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const QStringList patient{u"--request-timeout-ms"_s, u"60000"_s};

// Sends the bytes and reads until the server closes (or 20 s, well under the timeout).
struct Exchange
{
    QByteArray received;
    bool closed = false;
};

Exchange exchange(quint16 port, const QByteArray &bytes)
{
    Exchange result;
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, port);
    if (!socket.waitForConnected(5000))
        return result;
    socket.write(bytes);
    HttpClient::readUntil(socket, result.received, [] { return false; }, 20000);
    result.closed = socket.state() != QAbstractSocket::ConnectedState;
    return result;
}

int countOf(const QByteArray &haystack, const QByteArray &needle)
{
    int count = 0;
    for (qsizetype at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1))
        ++count;
    return count;
}

} // namespace

class tst_HttpHardening final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusesMalformed_data();
    void refusesMalformed();
    void closesWhenAsked_data();
    void closesWhenAsked();
    void keepsAliveOtherwise();
    void pipelinedRequestsSplitAnywhere_data();
    void pipelinedRequestsSplitAnywhere();
    void pipelinedPastCloseNotAnswered();
    void refusalBehindPipelinedRequest();
    void limitsStreamsPerAddress();
    void limitsFilterNames_data();
    void limitsFilterNames();
    void preflightAllowsFixedHeaders();
    void heartbeatHidesPrivateIds();
    void warnsOnShortAdminToken();

private:
    ServerProcess m_server;
};

void tst_HttpHardening::initTestCase()
{
    QVERIFY2(m_server.start(patient), m_server.output().constData());
}

void tst_HttpHardening::refusesMalformed_data()
{
    QTest::addColumn<bool>("admin");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    const QByteArray host = "Host: 127.0.0.1\r\n";
    QTest::newRow("HTTP/7.3") << false << "GET /eventsource HTTP/7.3\r\n" + host + "\r\n" << 505;
    QTest::newRow("HTTP/2.0 on the admin listener") << true << "GET /health HTTP/2.0\r\n" + host + "\r\n" << 505;
    QTest::newRow("version garbage") << false << "GET /eventsource HTTP/1.1x\r\n" + host + "\r\n" << 400;
    QTest::newRow("header line without a colon")
        << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-Padding this is no header\r\n\r\n" << 400;
    QTest::newRow("folded header line")
        << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A: one\r\n two\r\n\r\n" << 400;
    QTest::newRow("space before the colon") << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A : v\r\n\r\n"
                                            << 400;
    QTest::newRow("bare LF") << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A: v\n\r\n" << 400;
    QTest::newRow("bare CR ending a value") << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A: v\r\r\n\r\n"
                                            << 400;
    QTest::newRow("NUL in a value") << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A: a\0b\r\n\r\n"_ba
                                    << 400;
    QTest::newRow("HTTP/1.1 without Host") << false << "GET /eventsource HTTP/1.1\r\n\r\n"_ba << 400;
    QTest::newRow("two Host headers") << false << "GET /eventsource HTTP/1.1\r\n" + host + host + "\r\n" << 400;
    QTest::newRow("Content-Length and Transfer-Encoding")
        << false
        << "POST /login HTTP/1.1\r\n" + host + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        << 400;
    QTest::newRow("two different Content-Length")
        << true << "POST /api/push HTTP/1.1\r\n" + host + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}" << 400;
    QTest::newRow("negative Content-Length") << true << "POST /api/push HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n"
                                             << 400;
    QTest::newRow("Transfer-Encoding gzip")
        << false << "POST /login HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" << 501;
    // Answered at once, not after the (60 s) request timeout.
    QTest::newRow("bad chunk size")
        << false << "POST /login HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n" << 400;
    QTest::newRow("chunk without its CRLF")
        << true << "POST /api/push HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n"
        << 400;
    QTest::newRow("chunk size overflow")
        << false << "POST /login HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" << 400;
    // Where QtHttpServer 6.4 would see a request end elsewhere (found by fuzz_httpsocket).
    QTest::newRow("head ended by LF LF") << false << "GET /eventsource HTTP/1.1\r\n" + host + "X-A: v\n\n" << 400;
    QTest::newRow("head ended by CRLF CR and a byte")
        << false << "GET /eventsource HTTP/1.1\r\n" + host + "\rX" << 400;
    QTest::newRow("trailer field that is a request line")
        << true
        << "POST /api/push HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n"
               "GET /health: HTTP/1.1\r\n" + host + "\r\n"
        << 400;
    QTest::newRow("empty Upgrade") << false << "GET /eventsource HTTP/1.1\r\n" + host + "Upgrade:\r\n\r\n" << 400;
    QTest::newRow("upgrade with a body")
        << true << "GET /control HTTP/1.1\r\n" + host + "Upgrade: websocket\r\nContent-Length: 2\r\n\r\n{}" << 400;
}

// Each is refused with its status and the connection closed: after a malformed head the
// next request's start is unknown, so nothing more is read.
void tst_HttpHardening::refusesMalformed()
{
    QFETCH(bool, admin);
    QFETCH(QByteArray, request);
    QFETCH(int, status);

    const qint64 before = AdminApi::limitHits(m_server.adminPort(), "malformed_request");
    const Exchange answer = exchange(admin ? m_server.adminPort() : m_server.publicPort(),
                                     request + "GET /eventsource HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY2(answer.closed, answer.received.constData());
    QVERIFY2(answer.received.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '), answer.received.constData());
    QVERIFY2(!answer.received.contains("\nHTTP/1.1 "), answer.received.constData()); // one answer only
    QVERIFY(answer.received.contains("\r\nConnection: close\r\n"));
    const HttpResponse response = HttpClient::parse(answer.received);
    QVERIFY2(!response.json().object().value(u"error").toString().isEmpty(), response.body.constData());
    QCOMPARE(AdminApi::limitHits(m_server.adminPort(), "malformed_request"), before + 1);
}

void tst_HttpHardening::closesWhenAsked_data()
{
    QTest::addColumn<bool>("admin");
    QTest::addColumn<QByteArray>("request");

    const QByteArray host = "Host: 127.0.0.1\r\n";
    QTest::newRow("Connection: close") << false << "GET /nowhere HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n";
    QTest::newRow("Connection: keep-alive, close")
        << false << "GET /nowhere HTTP/1.1\r\n" + host + "Connection: keep-alive, Close\r\n\r\n";
    QTest::newRow("HTTP/1.0") << false << "GET /nowhere HTTP/1.0\r\n\r\n"_ba;
    QTest::newRow("admin, Connection: close")
        << true << "GET /api/stats HTTP/1.1\r\n" + host + "Authorization: " + HttpClient::adminAuthorization()
               + "\r\nConnection: close\r\n\r\n";
    QTest::newRow("admin, HTTP/1.0")
        << true << "GET /health HTTP/1.0\r\nAuthorization: " + HttpClient::adminAuthorization() + "\r\n\r\n";
}

// RFC 9112 section 9.6: the server closes after answering, instead of holding the socket
// until the idle timeout.
void tst_HttpHardening::closesWhenAsked()
{
    QFETCH(bool, admin);
    QFETCH(QByteArray, request);

    const Exchange answer = exchange(admin ? m_server.adminPort() : m_server.publicPort(), request);
    QVERIFY2(answer.closed, answer.received.constData());
    QVERIFY2(answer.received.startsWith("HTTP/1.1 "), answer.received.constData());
    QVERIFY2(answer.received.contains("\r\nConnection: close\r\n"), answer.received.constData());
}

// Without either, the connection serves the next request.
void tst_HttpHardening::keepsAliveOtherwise()
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server.adminPort());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
        + HttpClient::adminAuthorization() + "\r\n\r\n";
    QByteArray received;
    for (int i = 1; i <= 2; ++i) {
        socket.write(request);
        QVERIFY(HttpClient::readUntil(socket, received, [&] { return countOf(received, "HTTP/1.1 200") == i; }));
    }
    QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
}

void tst_HttpHardening::pipelinedRequestsSplitAnywhere_data()
{
    QTest::addColumn<bool>("secondMalformed");
    QTest::addColumn<int>("cut"); // where the second request is split, in its bytes

    for (const int cut : {1, 10, 40, 90, 120})
        QTest::addRow("second well-formed, split at %d", cut) << false << cut;
    for (const int cut : {1, 20, 40})
        QTest::addRow("second malformed, split at %d", cut) << true << cut;
}

// A request answered, the next one already half in the buffer: QtHttpServer 6.4 signals the
// rest again, and the guard must neither read those bytes twice (it refused a well-formed
// request with 400) nor miss the ones that follow.
void tst_HttpHardening::pipelinedRequestsSplitAnywhere()
{
    QFETCH(bool, secondMalformed);
    QFETCH(int, cut);

    const QByteArray body = R"({"data":"pipelined"})";
    const QByteArray push = "POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + HttpClient::adminAuthorization()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const QByteArray second = secondMalformed ? "GET /health HTTP/7.3\r\nHost: 127.0.0.1\r\nX-Padding: 0123456789\r\n\r\n"_ba : push;
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_server.adminPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    QByteArray received;
    socket.write(push + second.first(cut));
    QVERIFY(HttpClient::readUntil(socket, received, [&] { return received.contains("HTTP/1.1 200"); }));
    socket.write(second.sliced(cut));
    const QByteArray expected = secondMalformed ? "HTTP/1.1 505 " : "HTTP/1.1 200 ";
    // The second answer starts right after the first one's JSON body and its newline.
    QVERIFY2(HttpClient::readUntil(socket, received, [&] { return received.contains("}\nHTTP/1.1 "); }),
             received.constData());
    QVERIFY2(received.mid(received.indexOf("}\nHTTP/1.1 ") + 2).startsWith(expected), received.constData());
}

// Qt 6.4 parses what it has buffered after an answer that closes: a push pipelined behind
// "Connection: close" was executed and answered on the closing connection.
void tst_HttpHardening::pipelinedPastCloseNotAnswered()
{
    const QByteArray auth = "Authorization: " + HttpClient::adminAuthorization() + "\r\n";
    const QByteArray body = R"({"data":"past close"})";
    const qint64 before = AdminApi::stats(m_server.adminPort()).value(u"eventsPublished").toInteger(-1);
    const Exchange answer = exchange(
        m_server.adminPort(),
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Connection: close\r\n\r\n"
            "POST /api/push HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
            + "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY2(answer.closed, answer.received.constData());
    QCOMPARE(countOf(answer.received, "HTTP/1.1 "), 1);
    QVERIFY2(answer.received.startsWith("HTTP/1.1 200 "), answer.received.constData());
    QCOMPARE(AdminApi::stats(m_server.adminPort()).value(u"eventsPublished").toInteger(-1), before);
}

// A refusal written at once would reach the client ahead of the first answer and be read
// as that answer: the first answer closes the connection instead, and nothing else comes.
void tst_HttpHardening::refusalBehindPipelinedRequest()
{
    const QByteArray auth = "Authorization: " + HttpClient::adminAuthorization() + "\r\n";
    const Exchange answer = exchange(m_server.adminPort(), "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth
                                                               + "\r\nGET /health HTTP/7.3\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY2(answer.closed, answer.received.constData());
    QCOMPARE(countOf(answer.received, "HTTP/1.1 "), 1);
    QVERIFY2(answer.received.startsWith("HTTP/1.1 200 "), answer.received.constData());
    QVERIFY2(answer.received.contains("\r\nConnection: close\r\n"), answer.received.constData());
}

void tst_HttpHardening::limitsStreamsPerAddress()
{
    ServerProcess server;
    QVERIFY2(server.start(patient + QStringList{u"--max-connections-per-ip"_s, u"3"_s}), server.output().constData());
    std::vector<std::unique_ptr<SseClient>> streams;
    for (int i = 0; i < 3; ++i) {
        streams.push_back(std::make_unique<SseClient>());
        QVERIFY(streams.back()->open(server.publicPort(), "/eventsource"));
        QCOMPARE(streams.back()->status(), 200);
    }
    const HttpResponse refused = HttpClient::request(server.publicPort(), "GET", "/eventsource", {},
                                                     {{"Accept", "text/event-stream"}});
    QCOMPARE(refused.status, 429);
    QVERIFY(refused.header("Retry-After").toInt() > 0);
    QVERIFY(!refused.json().object().value(u"error").toString().isEmpty());
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "max_connections_per_ip"), 1);

    // A place freed is a place to take.
    streams.pop_back();
    QVERIFY(AdminApi::waitForConnections(server.adminPort(), 2));
    SseClient again;
    QVERIFY(again.open(server.publicPort(), "/eventsource"));
    QCOMPARE(again.status(), 200);
}

void tst_HttpHardening::limitsFilterNames_data()
{
    QTest::addColumn<QByteArray>("names");
    QTest::addColumn<int>("status");

    QTest::newRow("at the bound") << "a,b,c,d"_ba << 200;
    QTest::newRow("one past it") << "a,b,c,d,e"_ba << 400;
    // Counted as sent: duplicates cost the parser as much as distinct names.
    QTest::newRow("duplicates past it") << "a,a,a,a,a"_ba << 400;
    QTest::newRow("thousands") << QByteArray("n,").repeated(5000) + "n" << 400;
}

void tst_HttpHardening::limitsFilterNames()
{
    QFETCH(QByteArray, names);
    QFETCH(int, status);

    ServerProcess server;
    QVERIFY2(server.start(patient + QStringList{u"--max-filter-names"_s, u"4"_s, u"--max-header-kb"_s, u"64"_s}),
             server.output().constData());
    SseClient stream;
    QVERIFY(stream.open(server.publicPort(), "/eventsource/" + names));
    QCOMPARE(stream.status(), status);
    QCOMPARE(AdminApi::limitHits(server.adminPort(), "filter_names"), status == 200 ? 0 : 1);
}

// The preflight names the headers a stream may send; it never echoes what was asked for.
void tst_HttpHardening::preflightAllowsFixedHeaders()
{
    ServerProcess server;
    QVERIFY2(server.start(patient + QStringList{u"--allow-origin"_s, u"https://app.example"_s}),
             server.output().constData());
    const HttpResponse response = HttpClient::request(
        server.publicPort(), "OPTIONS", "/eventsource", {},
        {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"},
         {"Access-Control-Request-Headers", "x-evil, last-event-id"}});
    QCOMPARE(response.status, 204);
    const QByteArray allowed = response.header("Access-Control-Allow-Headers");
    QVERIFY2(allowed.contains("Last-Event-ID") && allowed.contains("Authorization"), allowed.constData());
    QVERIFY2(!allowed.toLower().contains("x-evil"), allowed.constData());
}

// An anonymous stream's heartbeat must not tell the id of an event it may not see: the
// id's sequence would count others' private events.
void tst_HttpHardening::heartbeatHidesPrivateIds()
{
    ServerProcess server;
    QVERIFY2(server.start(patient + QStringList{u"--heartbeat-ms"_s, u"200"_s}), server.output().constData());
    SseClient anonymous;
    QVERIFY(anonymous.open(server.publicPort(), "/eventsource"));
    QVERIFY(anonymous.waitForBody("id:"));
    const qsizetype idsAtStart = countOf(anonymous.body(), "id:");

    const AdminApi::Pushed secret = AdminApi::push(
        server.adminPort(), QJsonObject{{u"data"_s, u"for u1"_s}, {u"target"_s, QJsonObject{{u"users"_s, QJsonArray{u"u1"_s}}}}});
    QCOMPARE(secret.status, 200);
    QVERIFY(anonymous.waitForComments(3, 10000));
    QVERIFY2(!anonymous.body().contains(secret.id.toLatin1()), anonymous.body().constData());
    QCOMPARE(countOf(anonymous.body(), "id:"), idsAtStart);

    // A broadcast after it is the stream's to see, and so is its id from then on.
    const AdminApi::Pushed open = AdminApi::pushNamed(server.adminPort(), {}, u"for all"_s);
    QVERIFY(anonymous.waitForMessages(1, 10000));
    QCOMPARE(anonymous.messages().first().lastEventId, open.id);
}

void tst_HttpHardening::warnsOnShortAdminToken()
{
    ServerProcess server;
    QVERIFY2(server.start(patient), server.output().constData());
    // ServerProcess's test token is 16 characters.
    QVERIFY2(server.output().contains("shorter than 32 characters"), server.output().constData());
    QVERIFY(!server.output().contains(ServerProcess::adminToken));
}

QTEST_GUILESS_MAIN(tst_HttpHardening)
#include "tst_httphardening.moc"
