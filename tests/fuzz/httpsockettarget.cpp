#include "fuzztargets.h"

#include "chunkedbody.h"
#include "fuzzcheck.h"
#include "httplimitstats.h"
#include "httplistener.h"
#include "httpreply.h"
#include "requesthead.h"
#include "tcplistener.h"

#include <QCoreApplication>
#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QTcpSocket>

#include <sys/socket.h>

using FuzzTargets::check;

namespace {

constexpr qint64 maxHeaderBytes = 1024;
constexpr qint64 maxBodyBytes = 2048;

// What the listener must do with the bytes, worked out from the parsers alone: the requests
// a handler gets (with the body size Qt must hand it), then the answer that ends the
// connection, if any: a refusal, or 404 to an upgrade (no WebSocket path here; what follows
// an upgrade is another protocol, so the connection must end). It also stops where the
// client asked to close and where the bytes run out. The client writes all the bytes at
// once, so the guard reads them all before Qt answers the first request.
struct Expected
{
    QList<qint64> handledBodies;
    QList<bool> continued; // per handled request: whether "100 Continue" came before its answer
    int last = 0;          // the status of the answer that ends the connection, or 0
    bool continuedBeforeLast = false; // "100 Continue" invited a body refused or not all here
    bool closes = false;   // the server ends the connection after the last answer
};

Expected expect(QByteArrayView input)
{
    Expected out;
    while (!input.isEmpty()) {
        bool bare = false;
        const qsizetype end = RequestHead::findEnd(input, 0, &bare);
        if (end < 0 || end > maxHeaderBytes) {
            if (end > maxHeaderBytes || input.size() > maxHeaderBytes)
                out.last = 431;
            break;
        }
        if (bare) {
            out.last = 400;
            break;
        }
        const RequestHead head = RequestHead::parse(input.first(end));
        input = input.sliced(end + 4);
        if (!head.isAcceptable()) {
            out.last = head.status;
            break;
        }
        if (head.upgrade) {
            out.last = 404;
            break;
        }
        // Only for the oldest request not answered: all the bytes come in one read, so the first.
        const bool continued = head.expectContinue && head.framing != RequestHead::Framing::None
            && out.handledBodies.isEmpty();
        qint64 body = 0;
        if (head.framing == RequestHead::Framing::Length) {
            if (head.contentLength > maxBodyBytes) {
                out.last = 413;
                break;
            }
            if (head.contentLength > input.size()) {
                out.continuedBeforeLast = continued;
                break;
            }
            body = head.contentLength;
            input = input.sliced(body);
        } else if (head.framing == RequestHead::Framing::Chunked) {
            ChunkedBody chunked;
            const qsizetype used = chunked.feed(input);
            if (chunked.state() == ChunkedBody::State::Malformed || chunked.dataBytes() > maxBodyBytes) {
                out.last = chunked.state() == ChunkedBody::State::Malformed ? 400 : 413;
                out.continuedBeforeLast = continued;
                break;
            }
            if (chunked.state() != ChunkedBody::State::Done) {
                out.continuedBeforeLast = continued;
                break;
            }
            body = chunked.dataBytes();
            input = input.sliced(used);
        }
        out.handledBodies.append(body);
        out.continued.append(continued);
        if (!head.keepAlive) {
            out.closes = true;
            break;
        }
    }
    // A refusal behind requests not answered yet is not sent: the last of those closes.
    if (out.last != 0 && out.last != 404 && !out.handledBodies.isEmpty()) {
        out.last = 0;
        out.closes = true;
    }
    return out;
}

// The answers the client read, one status each: every answer must be whole.
QList<int> statuses(QByteArrayView bytes)
{
    QList<int> out;
    while (!bytes.isEmpty()) {
        const qsizetype end = bytes.indexOf("\r\n\r\n");
        check(end > 0 && bytes.startsWith("HTTP/1.1 ") && end >= 12, "an answer that is not HTTP/1.1");
        bool ok = false;
        const int status = bytes.sliced(9, 3).toByteArray().toInt(&ok);
        check(ok, "an answer without a status");
        qint64 length = 0;
        const QByteArray head = bytes.first(end).toByteArray().toLower();
        const qsizetype field = head.indexOf("\r\ncontent-length: ");
        if (field >= 0) {
            const qsizetype valueStart = field + 18;
            const qsizetype valueEnd = head.indexOf("\r\n", valueStart);
            length = head.mid(valueStart, valueEnd < 0 ? -1 : valueEnd - valueStart).toLongLong(&ok);
            check(ok && length >= 0, "an answer with a bad Content-Length");
        }
        check(end + 4 + length <= bytes.size(), "an answer cut short");
        out.append(status);
        bytes = bytes.sliced(end + 4 + length);
    }
    return out;
}

// Prints both lists before aborting, so a crash report says what differed.
void checkAnswers(bool holds, const QList<int> &got, const QList<int> &want, const char *what)
{
    if (!holds)
        qWarning().nospace() << "answers " << got << ", expected " << want;
    check(holds, what);
}

// One listener for the whole run, as the server sets it up (TcpListener guarding each socket,
// HttpListener parsing), with a handler that notes each request's body and answers 204.
class Harness
{
public:
    Harness()
        : m_listener([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            m_bodies.append(request.body().size());
            HttpReply::raw(responder, QHttpServerResponder::StatusCode::NoContent, "text/plain", {});
        })
    {
        SocketGuard::Limits limits;
        limits.maxHeaderBytes = maxHeaderBytes;
        limits.maxBodyBytes = maxBodyBytes;
        auto *tcp = new TcpListener(limits, &m_stats, &m_listener);
        check(tcp->listen(QHostAddress::LocalHost, 0), "cannot listen on loopback");
        m_listener.bind(tcp);
        m_port = tcp->serverPort();
    }

    // Sends the input on a new connection and runs the event loop until the server has
    // nothing more to say: loopback delivers at once, so a few quiet turns mean it is done.
    void exchange(const QByteArray &input, QByteArray *received, bool *closedByServer)
    {
        m_bodies.clear();
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, m_port);
        check(client.waitForConnected(5000), "cannot connect on loopback");
        // Closed with a reset, so thousands of connections a second leave no TIME_WAIT behind.
        const linger reset{1, 0};
        ::setsockopt(int(client.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        client.write(input);
        client.flush();
        int quiet = 0;
        for (int turn = 0; turn < 1000 && quiet < 4 && client.state() == QAbstractSocket::ConnectedState; ++turn) {
            QCoreApplication::processEvents();
            const QByteArray more = client.readAll();
            received->append(more);
            quiet = more.isEmpty() ? quiet + 1 : 0;
        }
        received->append(client.readAll());
        *closedByServer = client.state() != QAbstractSocket::ConnectedState;
        client.abort();
        // The server side sees the end, and its socket is deleted.
        for (int turn = 0; turn < 4; ++turn) {
            QCoreApplication::processEvents();
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        }
    }

    const QList<qint64> &bodies() const { return m_bodies; }

private:
    HttpLimitStats m_stats;
    HttpListener m_listener;
    quint16 m_port = 0;
    QList<qint64> m_bodies;
};

Harness &harness()
{
    // libFuzzer has no application object; the seeded test has its own.
    static int argc = 1;
    static char name[] = "fuzz_httpsocket";
    static char *argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) {
        qputenv("QT_NO_GLIB", "1");
        new QCoreApplication(argc, argv);
    }
    static Harness *instance = [] {
        // Refusals and upgrades nobody takes are logged: thousands of lines a second here.
        QLoggingCategory::setFilterRules(QStringLiteral("eventsource.*.info=false\nqt.httpserver.warning=false"));
        return new Harness;
    }();
    return *instance;
}

} // namespace

bool FuzzTargets::httpSocket(const uint8_t *data, size_t size)
{
    const QByteArray input = bytes(data, size);
    const Expected expected = expect(input);
    QByteArray received;
    bool closedByServer = false;
    Harness &h = harness();
    h.exchange(input, &received, &closedByServer);
    const QList<int> got = statuses(received);

    // Qt's parser is stricter than RFC 9112 in places (methods it does not know, some
    // targets) and closes without an answer; it may stop early, never go further.
    const QList<qint64> &bodies = h.bodies();
    check(bodies.size() <= expected.handledBodies.size(), "a request answered that the guard did not see end");
    QList<int> want;
    for (qsizetype i = 0; i < bodies.size(); ++i) {
        check(bodies.at(i) == expected.handledBodies.at(i), "the handler got another body than the guard measured");
        if (expected.continued.at(i))
            want.append(100);
        want.append(204);
    }
    const bool stoppedEarly = bodies.size() < expected.handledBodies.size();
    if (stoppedEarly) {
        check(closedByServer, "a request neither answered nor refused, and the connection left open");
        // A "100 Continue" may have gone out for the request Qt then refused.
        checkAnswers(got.mid(0, want.size()) == want
                         && (got.size() == want.size() || got.mid(want.size()) == QList<int>{100}),
                     got, want, "answers differ after Qt stopped");
        return !bodies.isEmpty();
    }
    if (expected.continuedBeforeLast)
        want.append(100);
    if (expected.last != 0)
        want.append(expected.last);
    checkAnswers(got == want, got, want, "answers differ from what the parsers say");
    // A server may close an idle keep-alive connection whenever it likes (RFC 9112 section
    // 9.5); it must close one the answers end.
    check(closedByServer || (expected.last == 0 && !expected.closes), "the connection stayed open after its end");
    return !bodies.isEmpty();
}
