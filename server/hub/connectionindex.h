#pragma once

#include <QHash>
#include <QSet>

class SseConnection;

// Streams by one key (an event name, a session, a user, a group). Most keys name one stream
// (a session, a unique filter name), so a key holds its first stream inline and makes a set
// only for a second: a hash set costs hundreds of bytes even when it holds one pointer.
template <typename Key>
class ConnectionIndex final
{
public:
    void insert(const Key &key, SseConnection *connection)
    {
        Bucket &bucket = m_buckets[key];
        if (!bucket.single && bucket.more.isEmpty()) {
            bucket.single = connection;
        } else if (bucket.single) {
            if (bucket.single == connection)
                return;
            bucket.more = {bucket.single, connection};
            bucket.single = nullptr;
        } else {
            bucket.more.insert(connection);
        }
    }

    void remove(const Key &key, SseConnection *connection)
    {
        const auto it = m_buckets.find(key);
        if (it == m_buckets.end())
            return;
        if (it->single == connection)
            it->single = nullptr;
        else if (it->more.remove(connection) && it->more.size() == 1) {
            it->single = *it->more.cbegin();
            it->more = {};
        }
        if (!it->single && it->more.isEmpty())
            m_buckets.erase(it);
    }

    // Calls f(connection) for each stream under key.
    template <typename F>
    void forEach(const Key &key, F &&f) const
    {
        const auto it = m_buckets.constFind(key);
        if (it == m_buckets.constEnd())
            return;
        if (it->single)
            f(it->single);
        for (SseConnection *connection : it->more)
            f(connection);
    }

    int keyCount() const { return int(m_buckets.size()); }

private:
    struct Bucket
    {
        SseConnection *single = nullptr; // the only stream, while there is one
        QSet<SseConnection *> more;      // every stream, once there are two or more
    };
    QHash<Key, Bucket> m_buckets;
};
