#pragma once

#include "faultrequest.h"
#include "principal.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <array>
#include <optional>
#include <vector>

class Fanout;

// The test faults of this node (only with --test-faults): each one applies to the streams
// it addressed when it was made (stall, cut, duplicate, malformed) or to the next stream
// requests of the sessions it addresses (reject). A fault ends when it has nothing left to
// apply to, when it expires (a stall: when its duration is over) or when it is removed;
// a removed stall releases its streams, a removed next-event fault is withdrawn.
class FaultInjector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultInjector)

public:
    static constexpr int maxFaults = 256;
    static constexpr int typeCount = 5;

    struct Stats
    {
        std::array<qint64, typeCount> created{};
        qint64 streamsStalled = 0;
        qint64 requestsRejected = 0;
    };
    struct Added
    {
        QString id;
        int affected = 0;
        QString error; // set: refused (unknownConnection: no such stream on this node)
        bool unknownConnection = false;
    };
    struct Rejection
    {
        int status = 0;
        int retryAfterS = 0;
    };

    explicit FaultInjector(Fanout *fanout, QObject *parent = nullptr);

    Added add(const FaultRequest &request);
    // {"faults": [...]}: each with its request, "affected", what it still applies to
    // ("pending" stream ids, or "remaining" requests for a reject), createdAt and expiresAt.
    QJsonObject list();
    bool remove(const QString &id);
    // Withdraws every fault; returns how many there were.
    int clear();
    // For a stream request: the status it is to get instead, when a reject fault takes it.
    std::optional<Rejection> takeRejection(const Principal &principal);
    int activeCount();
    const Stats &stats() const { return m_stats; }

private:
    struct Fault
    {
        QString id;
        FaultRequest request;
        QString session; // a reject given a connection: that stream's session
        std::vector<quint64> streams;
        int affected = 0;
        int remaining = 0; // reject
        QDateTime createdAt;
        QDateTime expiresAt;
    };

    // Whether the stream is still waiting for this fault (open, and stalled or flagged).
    bool pendingOn(const Fault &fault, quint64 streamId) const;
    bool stillApplies(const Fault &fault) const;
    // Lifts what the fault did to its streams, unless another live fault does the same.
    void withdraw(const Fault &fault);
    void prune();
    void expire();
    void armTimer();

    Fanout *m_fanout;
    std::vector<Fault> m_faults;
    quint64 m_lastId = 0;
    QTimer m_expiryTimer;
    Stats m_stats;
};
