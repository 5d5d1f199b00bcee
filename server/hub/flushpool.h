#pragma once

#include <QtGlobal>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

class SseConnection;

// Spreads the flush of many streams over helper threads. Nearly all of a broadcast's time
// is the kernel's send() path (loopback or NIC), which runs in parallel on other cores;
// each stream is flushed by exactly one thread, and the caller waits until all are done,
// so no stream is ever touched by two threads at once. Small batches stay on the calling
// thread: waking a helper costs more than it saves.
class FlushPool final
{
    Q_DISABLE_COPY_MOVE(FlushPool)

public:
    // helpers: threads besides the caller's (0: the caller flushes alone).
    explicit FlushPool(int helpers);
    ~FlushPool();

    int helpers() const { return int(m_threads.size()); }
    // Calls SseConnection::flush() on each and returns the sum of what they queued.
    qint64 flush(const std::vector<SseConnection *> &connections);

    // Batches below this size are flushed on the calling thread alone.
    static constexpr size_t parallelThreshold = 256;

private:
    void helperLoop();
    qint64 flushChunks();

    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    quint64 m_generation = 0;
    int m_busy = 0;
    bool m_stopping = false;
    // The batch being flushed; valid while m_busy > 0 or the caller works on it.
    const std::vector<SseConnection *> *m_batch = nullptr;
    std::atomic<size_t> m_next{0};
    std::atomic<qint64> m_bytes{0};
};
