#pragma once

#include <QHash>
#include <QQueue>
#include <QString>

// Slows down guessing: each key (a client address, a user name) has a bucket of `burst`
// failures that refills at `perMinute` a minute; a key whose bucket is empty must wait
// (retryAfterSeconds() > 0) and is answered 429 without the expensive check. A check that
// runs off the event loop charges its attempt up front (recordFailure) and is refunded if
// it succeeds, so a burst of parallel attempts is counted before any of them is answered.
// Bounded in keys: past maxKeys the key that failed first is forgotten.
class FailureThrottle final
{
public:
    struct Options
    {
        int perMinute = 10; // 0: no throttling
        int burst = 10;
        int maxKeys = 100000;
    };

    explicit FailureThrottle(Options options);

    bool isEnabled() const { return m_options.perMinute > 0; }
    // 0 when the key may try now; otherwise how long until it may.
    int retryAfterSeconds(const QString &key, qint64 nowMs) const;
    void recordFailure(const QString &key, qint64 nowMs);
    // Gives back one attempt charged with recordFailure() that turned out not to be one.
    void refund(const QString &key, qint64 nowMs);
    int size() const { return int(m_buckets.size()); }

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    double tokensAt(const Bucket &bucket, qint64 nowMs) const;
    void makeRoom();

    Options m_options;
    QHash<QString, Bucket> m_buckets;
    QQueue<QString> m_order; // first failure order; keys already forgotten are skipped
};
