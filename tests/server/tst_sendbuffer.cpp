#include "sendbuffer.h"

#include <QTest>

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

// SendBuffer on one end of a non-blocking local socket pair.
class tst_SendBuffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void sharesWhileEmpty();
    void keepsWhatTheKernelRefuses();
    void tailDropsWhatWasSent();
    void failsOnAClosedPeer();

private:
    QByteArray readPeer();

    int m_pair[2] = {-1, -1};
};

void tst_SendBuffer::init()
{
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, m_pair), 0);
}

void tst_SendBuffer::cleanup()
{
    for (int &end : m_pair) {
        if (end >= 0)
            ::close(end);
        end = -1;
    }
}

QByteArray tst_SendBuffer::readPeer()
{
    QByteArray got;
    char chunk[65536];
    ssize_t n;
    while ((n = ::read(m_pair[1], chunk, sizeof chunk)) > 0)
        got.append(chunk, n);
    return got;
}

void tst_SendBuffer::sharesWhileEmpty()
{
    const QByteArray frame("data: one\n\n");
    SendBuffer buffer;
    buffer.append(frame);
    QVERIFY(buffer.tail()->isSharedWith(frame));
    buffer.append("data: two\n\n");
    QCOMPARE(buffer.size(), 22);
    QCOMPARE(buffer.sendTo(m_pair[0]), SendBuffer::Result::Sent);
    QVERIFY(buffer.isEmpty());
    QCOMPARE(readPeer(), QByteArray("data: one\n\ndata: two\n\n"));
}

void tst_SendBuffer::keepsWhatTheKernelRefuses()
{
    SendBuffer buffer;
    const QByteArray large(8 * 1024 * 1024, 'x');
    buffer.append(large);
    QCOMPARE(buffer.sendTo(m_pair[0]), SendBuffer::Result::Full);
    QVERIFY(buffer.size() > 0 && buffer.size() < large.size());
    QByteArray got;
    while (!buffer.isEmpty()) {
        got += readPeer();
        buffer.sendTo(m_pair[0]);
    }
    got += readPeer();
    QCOMPARE(got.size(), large.size());
}

void tst_SendBuffer::tailDropsWhatWasSent()
{
    SendBuffer buffer;
    buffer.append(QByteArray(8 * 1024 * 1024, 'a'));
    QCOMPARE(buffer.sendTo(m_pair[0]), SendBuffer::Result::Full);
    const qsizetype left = buffer.size();
    buffer.tail()->append("end");
    QCOMPARE(buffer.tail()->size(), left + 3);
    QCOMPARE(buffer.take().right(3), QByteArray("end"));
    QVERIFY(buffer.isEmpty());
}

void tst_SendBuffer::failsOnAClosedPeer()
{
    ::close(m_pair[1]);
    m_pair[1] = -1;
    SendBuffer buffer;
    buffer.append("lost");
    int error = 0;
    QCOMPARE(buffer.sendTo(m_pair[0], &error), SendBuffer::Result::Failed);
    QCOMPARE(error, EPIPE);
    QCOMPARE(buffer.size(), 4);
}

QTEST_GUILESS_MAIN(tst_SendBuffer)
#include "tst_sendbuffer.moc"
