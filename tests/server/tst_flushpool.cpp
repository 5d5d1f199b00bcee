#include "flushpool.h"
#include "sseconnection.h"
#include "streamsocket.h"

#include <QTest>

#include <memory>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

// FlushPool on streams over local socket pairs: every stream gets its bytes exactly once,
// in order, whether the batch is split over helper threads or not.
class tst_FlushPool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void flushesEveryStreamOnce_data();
    void flushesEveryStreamOnce();
    void manyBatchesInARow();

private:
    void openStreams(int count);
    QByteArray readAll(int peer);

    QObject m_owner;
    std::vector<SseConnection *> m_streams;
    std::vector<int> m_peers;
};

void tst_FlushPool::initTestCase()
{
    rlimit limit{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

void tst_FlushPool::cleanup()
{
    qDeleteAll(m_streams);
    m_streams.clear();
    for (int peer : m_peers)
        ::close(peer);
    m_peers.clear();
}

void tst_FlushPool::openStreams(int count)
{
    for (int i = 0; i < count; ++i) {
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
        ::fcntl(pair[1], F_SETFL, ::fcntl(pair[1], F_GETFL) | O_NONBLOCK);
        SseConnection::Info info;
        info.id = quint64(i + 1);
        m_streams.push_back(new SseConnection(info, std::make_unique<StreamSocket>(pair[0]), 1 << 20, &m_owner));
        m_peers.push_back(pair[1]);
    }
}

QByteArray tst_FlushPool::readAll(int peer)
{
    QByteArray got;
    char buffer[4096];
    for (ssize_t n; (n = ::read(peer, buffer, sizeof buffer)) > 0;)
        got.append(buffer, n);
    return got;
}

void tst_FlushPool::flushesEveryStreamOnce_data()
{
    QTest::addColumn<int>("helpers");
    QTest::addColumn<int>("streams");
    QTest::newRow("no helper") << 0 << 1000;
    QTest::newRow("small batch stays inline") << 2 << int(FlushPool::parallelThreshold) - 1;
    QTest::newRow("one helper") << 1 << 1000;
    QTest::newRow("three helpers, uneven chunks") << 3 << 1001;
}

void tst_FlushPool::flushesEveryStreamOnce()
{
    QFETCH(int, helpers);
    QFETCH(int, streams);
    FlushPool pool(helpers);
    QCOMPARE(pool.helpers(), helpers);
    openStreams(streams);
    Event event;
    event.id = "1";
    event.data = "hello";
    event.frame = "id: 1\ndata: hello\n\n";
    const QByteArray &frame = event.frame;
    for (SseConnection *stream : m_streams) {
        stream->enqueue(QByteArray::number(stream->info().id) + '\n');
        stream->enqueueEvent(event);
    }
    const qint64 bytes = pool.flush(m_streams);
    qint64 expected = 0;
    for (size_t i = 0; i < m_streams.size(); ++i) {
        SseConnection *stream = m_streams[i];
        stream->settle();
        const QByteArray want = QByteArray::number(stream->info().id) + '\n' + frame;
        expected += want.size();
        QCOMPARE(readAll(m_peers[i]), want);
        QCOMPARE(stream->eventsSent(), 1);
        QCOMPARE(stream->bytesSent(), want.size());
        QVERIFY(!stream->hasPending());
    }
    QCOMPARE(bytes, expected);
}

void tst_FlushPool::manyBatchesInARow()
{
    FlushPool pool(1);
    openStreams(600);
    const QByteArray frame = "data: x\n\n";
    for (int round = 0; round < 50; ++round) {
        for (SseConnection *stream : m_streams)
            stream->enqueue(frame);
        QCOMPARE(pool.flush(m_streams), qint64(frame.size()) * qint64(m_streams.size()));
    }
    for (size_t i = 0; i < m_streams.size(); ++i)
        QCOMPARE(readAll(m_peers[i]), frame.repeated(50));
}

QTEST_GUILESS_MAIN(tst_FlushPool)
#include "tst_flushpool.moc"
