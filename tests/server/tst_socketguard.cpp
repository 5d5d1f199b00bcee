#include "socketguard.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

namespace {

constexpr int timeoutMs = 50;

// The sweep's one timer (white box: whether it runs).
bool sweeping(const DeadlineSweep &sweep)
{
    const QTimer *timer = sweep.findChild<QTimer *>();
    return timer && timer->isActive();
}

} // namespace

// Guards on real loopback sockets, the way TcpListener sets them up, without QtHttpServer:
// the test calls requestCompleted() and streamStarted() where HttpListener and
// StreamEndpoint would. Nothing measures time: an idle socket closed by its own timeout is
// the sentinel that shows every deadline armed before it had its turn.
class tst_SocketGuard final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void idleSocketClosed();
    void partialRequestGets408();
    void requestCompletedStartsOver();
    void streamHasNoTimeout();
    void destroyedGuardIsForgotten();
    void sweepDestroyedFirst();
    void bareLineEndsRefused();
    void tlsHelloRefusedAtOnce();
    void pipelinedPastCloseNotAnswered();
    void refusalBehindPipelinedRequests();

private:
    struct Peer
    {
        std::unique_ptr<QTcpSocket> client;
        QPointer<QTcpSocket> accepted; // a child of the server
        SocketGuard *guard = nullptr;
    };
    // A connected pair whose accepted end has a guard on m_sweep.
    bool connectPeer(Peer &peer);
    static bool closedByServer(QTcpSocket &client);

    std::unique_ptr<QTcpServer> m_server;
    std::unique_ptr<DeadlineSweep> m_sweep;
    HttpLimitStats m_stats;
};

void tst_SocketGuard::init()
{
    m_stats = {};
    m_server = std::make_unique<QTcpServer>();
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
    m_sweep = std::make_unique<DeadlineSweep>(timeoutMs);
}

void tst_SocketGuard::cleanup()
{
    m_server.reset();
    m_sweep.reset();
}

bool tst_SocketGuard::connectPeer(Peer &peer)
{
    peer.client = std::make_unique<QTcpSocket>();
    peer.client->connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    if (!peer.client->waitForConnected(5000) || !m_server->waitForNewConnection(5000))
        return false;
    peer.accepted = m_server->nextPendingConnection();
    if (!peer.accepted)
        return false;
    SocketGuard::Limits limits;
    limits.requestTimeoutMs = timeoutMs;
    peer.guard = new SocketGuard(peer.accepted, limits, &m_stats, m_sweep.get());
    return SocketGuard::of(peer.accepted) == peer.guard;
}

bool tst_SocketGuard::closedByServer(QTcpSocket &client)
{
    return QTest::qWaitFor([&] { return client.state() == QAbstractSocket::UnconnectedState; }, 5000);
}

void tst_SocketGuard::idleSocketClosed()
{
    Peer peer;
    QVERIFY(connectPeer(peer));
    QVERIFY(closedByServer(*peer.client));
    QCOMPARE(peer.client->readAll(), QByteArray());
    QCOMPARE(m_stats.requestTimeouts, 0);
}

void tst_SocketGuard::partialRequestGets408()
{
    Peer peer;
    QVERIFY(connectPeer(peer));
    peer.client->write("GET /eventsource HT");
    QVERIFY(closedByServer(*peer.client));
    const QByteArray reply = peer.client->readAll();
    QVERIFY2(reply.startsWith("HTTP/1.1 408 "), reply.constData());
    QCOMPARE(m_stats.requestTimeouts, 1);
}

void tst_SocketGuard::requestCompletedStartsOver()
{
    // After a complete request the socket is an idle keep-alive one: closed, no 408.
    Peer peer;
    QVERIFY(connectPeer(peer));
    const QByteArray request = "GET /eventsource HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    peer.client->write(request);
    QTRY_COMPARE(peer.accepted->bytesAvailable(), qint64(request.size()));
    peer.guard->requestCompleted();
    QVERIFY(closedByServer(*peer.client));
    QCOMPARE(peer.client->readAll(), QByteArray());
    QCOMPARE(m_stats.requestTimeouts, 0);
}

void tst_SocketGuard::streamHasNoTimeout()
{
    Peer stream;
    QVERIFY(connectPeer(stream));
    stream.guard->streamStarted();
    QVERIFY(!sweeping(*m_sweep));

    Peer sentinel;
    QVERIFY(connectPeer(sentinel));
    QVERIFY(closedByServer(*sentinel.client));
    QCOMPARE(stream.client->state(), QAbstractSocket::ConnectedState);
    QVERIFY(stream.accepted);
    QCOMPARE(m_stats.requestTimeouts, 0);
}

void tst_SocketGuard::destroyedGuardIsForgotten()
{
    Peer gone;
    QVERIFY(connectPeer(gone));
    QVERIFY(sweeping(*m_sweep));
    delete gone.accepted;
    QVERIFY(!sweeping(*m_sweep));

    // Again with a guard still armed behind it: the stale entry comes first and is skipped.
    QVERIFY(connectPeer(gone));
    Peer sentinel;
    QVERIFY(connectPeer(sentinel));
    delete gone.accepted;
    QVERIFY(sweeping(*m_sweep));
    QVERIFY(closedByServer(*sentinel.client));
    QVERIFY(!sweeping(*m_sweep));
}

void tst_SocketGuard::sweepDestroyedFirst()
{
    // TcpListener's teardown order: the sweep (its first child) goes before the sockets.
    Peer peer;
    QVERIFY(connectPeer(peer));
    m_sweep.reset();
    peer.guard->requestCompleted();
    peer.guard->streamStarted();
    delete peer.accepted;
    QCOMPARE(m_stats.requestTimeouts, 0);
}

void tst_SocketGuard::bareLineEndsRefused()
{
    // QtHttpServer would end this head at the LFs and take "Smuggled" for a header.
    Peer peer;
    QVERIFY(connectPeer(peer));
    peer.client->write("GET / HTTP/1.1\r\nHost: a\r\nSmuggled\n\n");
    QVERIFY(closedByServer(*peer.client));
    const QByteArray reply = peer.client->readAll();
    QVERIFY2(reply.startsWith("HTTP/1.1 400 "), reply.constData());
    QCOMPARE(m_stats.malformedRequests, 1);
}

// A TLS ClientHello on the plain port: refused at its first byte and counted, not left
// for Qt's parser to drop in silence or for the head deadline.
void tst_SocketGuard::tlsHelloRefusedAtOnce()
{
    Peer peer;
    QVERIFY(connectPeer(peer));
    peer.client->write(QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + QByteArray(64, '\0'));
    QVERIFY(closedByServer(*peer.client));
    const QByteArray reply = peer.client->readAll();
    QVERIFY2(reply.startsWith("HTTP/1.1 400 "), reply.constData());
    QVERIFY(reply.contains("TLS handshake on a plain HTTP port"));
    QCOMPARE(m_stats.malformedRequests, 1);
}

void tst_SocketGuard::pipelinedPastCloseNotAnswered()
{
    // Three requests in one write: the second asks to close, so its answer ends the
    // connection and the third, which Qt still parses, is not answered.
    Peer peer;
    QVERIFY(connectPeer(peer));
    const QByteArray requests = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                                "GET /b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                "GET /c HTTP/1.1\r\nHost: a\r\n\r\n";
    peer.client->write(requests);
    QTRY_COMPARE(peer.accepted->bytesAvailable(), qint64(requests.size()));
    peer.guard->requestCompleted();
    QVERIFY(peer.guard->mayAnswer());
    QVERIFY(!peer.guard->closeAfterResponse());
    peer.guard->responseWritten();
    peer.guard->requestCompleted();
    QVERIFY(peer.guard->mayAnswer());
    QVERIFY(peer.guard->closeAfterResponse());
    peer.guard->requestCompleted();
    QVERIFY(!peer.guard->mayAnswer());
    peer.guard->responseWritten();
    QVERIFY(closedByServer(*peer.client));
}

void tst_SocketGuard::refusalBehindPipelinedRequests()
{
    // A refusal written now would reach the client before the answer to the first request
    // and be read as that answer: the first answer closes the connection instead.
    Peer peer;
    QVERIFY(connectPeer(peer));
    const QByteArray requests = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/7.3\r\nHost: a\r\n\r\n";
    peer.client->write(requests);
    QTRY_COMPARE(peer.accepted->bytesAvailable(), qint64(requests.size()));
    QCOMPARE(m_stats.malformedRequests, 1);
    peer.guard->requestCompleted();
    QVERIFY(peer.guard->mayAnswer());
    QVERIFY(peer.guard->closeAfterResponse());
    peer.guard->responseWritten();
    QVERIFY(closedByServer(*peer.client));
    QCOMPARE(peer.client->readAll(), QByteArray());
}

QTEST_GUILESS_MAIN(tst_SocketGuard)
#include "tst_socketguard.moc"
