#include "streamsocket.h"
#include "tlstestclient.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

// StreamSocket on one end of a local stream socket pair; the test plays the client on the
// other end with plain reads and writes.
class tst_StreamSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void sendsQueuedBytesInOrder();
    void sharesTheQueuedBuffer();
    void keepsWhatTheKernelRefusesUntilThereIsRoom();
    void peerCloseIsNoticed();
    void inputIsDroppedNotParsed();
    void closeWhenSentDeliversEverythingFirst();
    void abortDropsWhatIsQueued();
    void failedSendClosesOnSettle();
    void tlsStreamEncryptsInOrderAndClosesWithCloseNotify();

private:
    QByteArray readPeer(qsizetype atLeast);
    qsizetype fillUntilFull(StreamSocket &socket);

    int m_pair[2] = {-1, -1};
};

void tst_StreamSocket::init()
{
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, m_pair), 0);
    ::fcntl(m_pair[1], F_SETFL, ::fcntl(m_pair[1], F_GETFL) | O_NONBLOCK);
}

void tst_StreamSocket::cleanup()
{
    if (m_pair[1] >= 0)
        ::close(m_pair[1]);
    m_pair[0] = m_pair[1] = -1;
}

QByteArray tst_StreamSocket::readPeer(qsizetype atLeast)
{
    QByteArray got;
    (void)QTest::qWaitFor([&] {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::read(m_pair[1], buffer, sizeof buffer);
            if (n <= 0)
                break;
            got.append(buffer, n);
        }
        return got.size() >= atLeast;
    });
    return got;
}

qsizetype tst_StreamSocket::fillUntilFull(StreamSocket &socket)
{
    const QByteArray block(64 * 1024, 'x');
    qsizetype queued = 0;
    for (int i = 0; i < 1000 && socket.unsent() == 0; ++i) {
        socket.queue(block);
        socket.send();
        queued += block.size();
    }
    return queued;
}

void tst_StreamSocket::sendsQueuedBytesInOrder()
{
    StreamSocket socket(m_pair[0]);
    socket.queue("data: one\n\n");
    socket.queue("data: two\n\n");
    socket.send();
    socket.settle();
    QCOMPARE(socket.unsent(), 0);
    QCOMPARE(readPeer(22), QByteArray("data: one\n\ndata: two\n\n"));
    QVERIFY(socket.isOpen());
}

void tst_StreamSocket::sharesTheQueuedBuffer()
{
    StreamSocket socket(m_pair[0]);
    const QByteArray frame(4096, 'f');
    socket.queue(frame);
    // Queued, not yet sent: the frame's bytes are shared, not copied.
    QVERIFY(!frame.isDetached());
    socket.send();
    QVERIFY(frame.isDetached());
    QCOMPARE(readPeer(frame.size()), frame);
}

void tst_StreamSocket::keepsWhatTheKernelRefusesUntilThereIsRoom()
{
    StreamSocket socket(m_pair[0]);
    const qsizetype queued = fillUntilFull(socket);
    QVERIFY2(socket.unsent() > 0, "the kernel buffer never filled");
    socket.queue("tail");
    socket.settle();
    QVERIFY(socket.isOpen());
    // The client reads: the write notifier sends the rest, in order, with nothing lost.
    const QByteArray got = readPeer(queued + 4);
    QCOMPARE(got.size(), queued + 4);
    QVERIFY(got.endsWith("xxtail"));
    QTRY_COMPARE(socket.unsent(), 0);
}

void tst_StreamSocket::peerCloseIsNoticed()
{
    StreamSocket socket(m_pair[0]);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    ::close(m_pair[1]);
    m_pair[1] = -1;
    QTRY_COMPARE(closed.count(), 1);
    QVERIFY(!socket.isOpen());
}

void tst_StreamSocket::inputIsDroppedNotParsed()
{
    StreamSocket socket(m_pair[0]);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    const QByteArray request = "GET /other HTTP/1.1\r\nHost: x\r\n\r\n";
    QCOMPARE(::write(m_pair[1], request.constData(), size_t(request.size())), ssize_t(request.size()));
    // Read and dropped: once the event loop has run, nothing is left unread and the stream
    // is still open and writable.
    QTRY_VERIFY([&] {
        int pending = 0;
        return ::ioctl(m_pair[0], FIONREAD, &pending) == 0 && pending == 0;
    }());
    QCOMPARE(closed.count(), 0);
    socket.queue("data: still\n\n");
    socket.send();
    QCOMPARE(readPeer(13), QByteArray("data: still\n\n"));
}

void tst_StreamSocket::closeWhenSentDeliversEverythingFirst()
{
    StreamSocket socket(m_pair[0]);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    const qsizetype queued = fillUntilFull(socket);
    socket.queue("retry: 5000\n\n");
    socket.closeWhenSent(60000);
    QCOMPARE(closed.count(), 0);
    const QByteArray got = readPeer(queued + 13);
    QVERIFY(got.endsWith("xretry: 5000\n\n"));
    QTRY_COMPARE(closed.count(), 1);
    // Then end of stream, not a reset.
    char byte;
    QTRY_COMPARE(::read(m_pair[1], &byte, 1), ssize_t(0));
}

void tst_StreamSocket::abortDropsWhatIsQueued()
{
    StreamSocket socket(m_pair[0]);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    socket.queue("never sent");
    socket.abort();
    QCOMPARE(closed.count(), 1);
    QCOMPARE(socket.unsent(), 0);
    socket.abort();
    QCOMPARE(closed.count(), 1);
    char byte;
    QTRY_COMPARE(::read(m_pair[1], &byte, 1), ssize_t(0));
}

void tst_StreamSocket::failedSendClosesOnSettle()
{
    StreamSocket socket(m_pair[0]);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    ::shutdown(m_pair[1], SHUT_RD);
    ::close(m_pair[1]);
    m_pair[1] = -1;
    socket.queue("data: lost\n\n");
    // The send fails (EPIPE, no SIGPIPE); only settle() reacts, on the owner's thread.
    socket.send();
    QCOMPARE(closed.count(), 0);
    socket.settle();
    QCOMPARE(closed.count(), 1);
}

// Under TLS: what the session encrypted before goes first, queued frames are encrypted in
// one go, and the end is a close_notify before the FIN.
void tst_StreamSocket::tlsStreamEncryptsInOrderAndClosesWithCloseNotify()
{
    QTemporaryDir dir;
    const std::shared_ptr<const TlsContext> context = TlsTestClient::serverContext(dir, {});
    QVERIFY(context);
    auto session = std::make_unique<TlsSession>(context);
    TlsTestClient client;
    QVERIFY(client.handshake(*session));
    QByteArray earlier;
    QVERIFY(session->encrypt("HTTP/1.1 200 OK\r\n\r\n", &earlier));

    StreamSocket socket(m_pair[0], std::move(session), earlier);
    QSignalSpy closed(&socket, &StreamSocket::closed);
    socket.queue("data: one\n\n");
    socket.queue("data: two\n\n");
    QVERIFY(socket.unsent() > 0);
    socket.send();
    socket.settle();
    QCOMPARE(socket.unsent(), 0);
    QByteArray wire = readPeer(earlier.size() + 22);
    QVERIFY(!wire.contains("data:"));
    QCOMPARE(client.decrypt(wire), QByteArray("HTTP/1.1 200 OK\r\n\r\ndata: one\n\ndata: two\n\n"));

    socket.queue("retry: 5000\n\n");
    socket.closeWhenSent(60000);
    QTRY_COMPARE(closed.count(), 1);
    bool closeNotify = false;
    QCOMPARE(client.decrypt(readPeer(1), &closeNotify), QByteArray("retry: 5000\n\n"));
    QVERIFY(closeNotify);
}

QTEST_GUILESS_MAIN(tst_StreamSocket)
#include "tst_streamsocket.moc"
