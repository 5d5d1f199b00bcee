#pragma once

#include "redisreply.h"
#include "redisurl.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <functional>
#include <map>

struct redisAsyncContext;

// One connection to Redis on hiredis' asynchronous API, driven by the Qt event loop (hiredis'
// own Qt adapter cannot be used under Qt 6: it writes into a context hiredis has freed).
// Every command is answered exactly once: with Redis' reply, or with a transport error when
// the connection went away or the reply did not come within the timeout (the connection is
// then dropped: replies come in order, a late one means the connection is stuck). After a
// loss it connects again by itself, with backoff (100 ms doubling to 5 s, ±20%), logging in
// (AUTH, SELECT) before it is ready. Not thread-safe; never delete it from one of its own
// callbacks (deleteLater() is fine).
class RedisConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisConnection)

public:
    struct Options
    {
        RedisUrl url;
        int timeoutMs = 2000;
        QString name; // in log lines
    };
    enum class State { Closed, Connecting, Ready };
    using Callback = std::function<void(const RedisReply &)>;

    explicit RedisConnection(Options options, QObject *parent = nullptr);
    ~RedisConnection() override;

    // Connects, and reconnects after every loss, until close().
    void open();
    void close();
    State state() const { return m_state; }
    bool isReady() const { return m_state == State::Ready; }
    // Sends a command; when not ready, answers at once with a transport error. A blocking
    // command (XREAD BLOCK) adds its block time as extraTimeoutMs.
    void command(const QList<QByteArray> &arguments, Callback done, int extraTimeoutMs = 0);
    // Why the connection is not ready (empty when it is).
    QString lastError() const { return m_lastError; }
    qint64 reconnects() const { return m_reconnects; }
    int pendingCommands() const { return int(m_pending.size()); }

Q_SIGNALS:
    void ready();
    void lost(const QString &error);

private:
    struct Pending
    {
        Callback done;
        qint64 deadline;
    };

    static void handleConnect(const redisAsyncContext *context, int status);
    static void handleDisconnect(const redisAsyncContext *context, int status);
    static void handleReply(redisAsyncContext *context, void *reply, void *privdata);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);

    void connectNow();
    void handshake();
    void becomeReady();
    void send(const QList<QByteArray> &arguments, Callback done, int extraTimeoutMs);
    // Lets go of the context (freeing it unless hiredis is freeing it already), fails every
    // pending command and schedules a reconnect.
    void drop(const QString &why, bool hiredisFrees);
    void detachNotifiers();
    void failPending(const QString &why);
    void scheduleReconnect();
    void checkDeadlines();
    // Turns hiredis' interest in reading or writing into a notifier of this context.
    void watch(QSocketNotifier::Type type, bool on);
    void readable();
    void writable();

    Options m_options;
    redisAsyncContext *m_context = nullptr;
    quint64 m_generation = 0; // counts contexts made
    QPointer<QSocketNotifier> m_read;
    QPointer<QSocketNotifier> m_write;
    State m_state = State::Closed;
    bool m_wanted = false;
    bool m_lossUnreported = false; // lost while inside hiredis; lost() not emitted yet
    int m_inHiredis = 0; // calls into hiredis in progress: the context must not be freed now
    quint64 m_lastId = 0;
    std::map<quint64, Pending> m_pending; // in the order sent, so answered in this order
    QElapsedTimer m_clock;
    qint64 m_connectDeadline = 0;
    QTimer m_deadlineTimer;
    QTimer m_reconnectTimer;
    int m_backoffMs = 0;
    qint64 m_reconnects = 0;
    QString m_lastError;
};
