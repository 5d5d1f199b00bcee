#include "flushpool.h"

#include "sseconnection.h"

#include <algorithm>

namespace {
// Streams taken at a time from the shared batch: few enough to keep threads balanced,
// enough to keep the atomic counter off the hot path.
constexpr size_t chunk = 64;
}

FlushPool::FlushPool(int helpers)
{
    for (int i = 0; i < helpers; ++i)
        m_threads.emplace_back(&FlushPool::helperLoop, this);
}

FlushPool::~FlushPool()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &thread : m_threads)
        thread.join();
}

qint64 FlushPool::flush(const std::vector<SseConnection *> &connections)
{
    if (m_threads.empty() || connections.size() < parallelThreshold) {
        qint64 bytes = 0;
        for (SseConnection *connection : connections)
            bytes += connection->flush();
        return bytes;
    }
    {
        const std::lock_guard lock(m_mutex);
        m_batch = &connections;
        m_next.store(0, std::memory_order_relaxed);
        m_bytes.store(0, std::memory_order_relaxed);
        m_busy = int(m_threads.size());
        ++m_generation;
    }
    m_wake.notify_all();
    qint64 bytes = flushChunks();
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_busy == 0; });
    m_batch = nullptr;
    return bytes + m_bytes.load(std::memory_order_relaxed);
}

qint64 FlushPool::flushChunks()
{
    const std::vector<SseConnection *> &batch = *m_batch;
    qint64 bytes = 0;
    for (;;) {
        const size_t from = m_next.fetch_add(chunk, std::memory_order_relaxed);
        if (from >= batch.size())
            return bytes;
        const size_t to = std::min(batch.size(), from + chunk);
        for (size_t i = from; i < to; ++i)
            bytes += batch[i]->flush();
    }
}

void FlushPool::helperLoop()
{
    quint64 seen = 0;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || m_generation != seen; });
            if (m_stopping)
                return;
            seen = m_generation;
        }
        m_bytes.fetch_add(flushChunks(), std::memory_order_relaxed);
        bool last = false;
        {
            const std::lock_guard lock(m_mutex);
            last = --m_busy == 0;
        }
        if (last)
            m_done.notify_one();
    }
}
