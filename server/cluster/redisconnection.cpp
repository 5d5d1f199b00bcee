#include "redisconnection.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <vector>

Q_LOGGING_CATEGORY(lcRedis, "eventsource.server.redis")

namespace {

constexpr int backoffFirstMs = 100;
constexpr int backoffMaxMs = 5000;
constexpr int deadlineCheckMs = 50;

RedisReply copyReply(const redisReply *reply)
{
    RedisReply copy;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
        copy.type = RedisReply::Type::String;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_STATUS:
        copy.type = RedisReply::Type::Status;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        copy.type = RedisReply::Type::Error;
        copy.string = QByteArray(reply->str, qsizetype(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        copy.type = RedisReply::Type::Integer;
        copy.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        copy.type = RedisReply::Type::Array;
        copy.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            copy.elements.append(copyReply(reply->element[i]));
        break;
    default:
        copy.type = RedisReply::Type::Nil;
        break;
    }
    return copy;
}

RedisConnection *owner(const redisAsyncContext *context)
{
    return static_cast<RedisConnection *>(context->data);
}

} // namespace

RedisConnection::RedisConnection(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_clock.start();
    m_deadlineTimer.setInterval(deadlineCheckMs);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &RedisConnection::checkDeadlines);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisConnection::connectNow);
}

RedisConnection::~RedisConnection()
{
    m_wanted = false;
    // Nobody is told: whoever gave the callbacks is going away with us.
    m_pending.clear();
    if (redisAsyncContext *context = std::exchange(m_context, nullptr)) {
        detachNotifiers();
        context->data = nullptr;
        context->ev.data = nullptr;
        redisAsyncFree(context);
    }
}

void RedisConnection::open()
{
    m_wanted = true;
    if (m_state == State::Closed && !m_reconnectTimer.isActive())
        connectNow();
}

void RedisConnection::close()
{
    m_wanted = false;
    m_reconnectTimer.stop();
    if (m_context)
        drop(QStringLiteral("closed"), false);
    m_state = State::Closed;
}

void RedisConnection::connectNow()
{
    if (!m_wanted || m_context)
        return;
    const RedisUrl &url = m_options.url;
    redisAsyncContext *context = url.socketPath.isEmpty()
        ? redisAsyncConnect(url.host.toUtf8().constData(), url.port)
        : redisAsyncConnectUnix(url.socketPath.toUtf8().constData());
    if (!context || context->err) {
        // Failed before any hook was attached: the context is ours to free.
        m_lastError = context ? QString::fromUtf8(context->errstr) : QStringLiteral("out of memory");
        if (context)
            redisAsyncFree(context);
        m_state = State::Connecting;
        scheduleReconnect();
        return;
    }
    m_context = context;
    ++m_generation;
    context->data = this;
    context->ev.data = this;
    context->ev.addRead = &RedisConnection::addRead;
    context->ev.delRead = &RedisConnection::delRead;
    context->ev.addWrite = &RedisConnection::addWrite;
    context->ev.delWrite = &RedisConnection::delWrite;
    context->ev.cleanup = &RedisConnection::cleanup;
    redisAsyncSetConnectCallback(context, &RedisConnection::handleConnect);
    redisAsyncSetDisconnectCallback(context, &RedisConnection::handleDisconnect);
    m_state = State::Connecting;
    m_connectDeadline = m_clock.elapsed() + m_options.timeoutMs;
    m_deadlineTimer.start();
}

void RedisConnection::handleConnect(const redisAsyncContext *context, int status)
{
    RedisConnection *self = owner(context);
    if (!self)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this call.
        self->drop(QStringLiteral("cannot connect to %1: %2")
                       .arg(self->m_options.url.display(), QString::fromUtf8(context->errstr)), true);
        return;
    }
    self->handshake();
}

void RedisConnection::handshake()
{
    const RedisUrl &url = m_options.url;
    const auto step = [this](const char *what, const std::function<void()> &next) {
        return [this, what, next](const RedisReply &reply) {
            if (reply.isError()) {
                const QString why = QStringLiteral("%1 refused by %2: %3")
                                        .arg(QLatin1String(what), m_options.url.display(), QString::fromUtf8(reply.string));
                if (!reply.transport)
                    drop(why, false);
                return;
            }
            next();
        };
    };
    const auto version = [this] {
        send({"INFO", "server"}, [this](const RedisReply &reply) {
            if (reply.isError()) {
                if (!reply.transport)
                    drop(QStringLiteral("INFO refused: ") + QString::fromUtf8(reply.string), false);
                return;
            }
            const qsizetype at = reply.string.indexOf("redis_version:");
            const int major = at < 0 ? 0 : reply.string.mid(at + 14, 4).split('.').first().toInt();
            if (major < 5) {
                drop(QStringLiteral("%1 runs Redis %2: streams need Redis 5.0 or later")
                         .arg(m_options.url.display(),
                              QString::fromLatin1(reply.string.mid(at + 14).split('\r').first())), false);
                return;
            }
            becomeReady();
        }, 0);
    };
    const auto select = [this, url, step, version] {
        if (url.db == 0)
            return version();
        send({"SELECT", QByteArray::number(url.db)}, step("SELECT", version), 0);
    };
    if (url.password.isEmpty())
        return select();
    QList<QByteArray> auth{"AUTH"};
    if (!url.user.isEmpty())
        auth.append(url.user.toUtf8());
    auth.append(url.password.toUtf8());
    send(auth, step("AUTH", select), 0);
}

void RedisConnection::becomeReady()
{
    m_state = State::Ready;
    m_lastError.clear();
    m_backoffMs = 0;
    qCInfo(lcRedis).nospace().noquote() << "connected " << m_options.name << " to " << m_options.url.display();
    Q_EMIT ready();
}

void RedisConnection::handleDisconnect(const redisAsyncContext *context, int status)
{
    RedisConnection *self = owner(context);
    if (!self)
        return;
    const QString why = status == REDIS_OK ? QStringLiteral("disconnected")
                                           : QStringLiteral("connection lost: ") + QString::fromUtf8(context->errstr);
    // hiredis frees the context after this call.
    self->drop(why, true);
}

void RedisConnection::command(const QList<QByteArray> &arguments, Callback done, int extraTimeoutMs)
{
    if (m_state != State::Ready) {
        done(RedisReply::error((QStringLiteral("redis unavailable: ")
                                + (m_lastError.isEmpty() ? QStringLiteral("connecting") : m_lastError)).toUtf8(),
                               true));
        return;
    }
    send(arguments, std::move(done), extraTimeoutMs);
}

void RedisConnection::send(const QList<QByteArray> &arguments, Callback done, int extraTimeoutMs)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(arguments.size()));
    lengths.reserve(size_t(arguments.size()));
    for (const QByteArray &argument : arguments) {
        argv.push_back(argument.constData());
        lengths.push_back(size_t(argument.size()));
    }
    const quint64 id = ++m_lastId;
    m_pending.emplace(id, Pending{std::move(done), m_clock.elapsed() + m_options.timeoutMs + extraTimeoutMs});
    ++m_inHiredis;
    const int status = redisAsyncCommandArgv(m_context, &RedisConnection::handleReply,
                                             reinterpret_cast<void *>(quintptr(id)), int(argv.size()),
                                             argv.data(), lengths.data());
    --m_inHiredis;
    if (status != REDIS_OK) {
        auto node = m_pending.extract(id);
        if (!node.empty())
            node.mapped().done(RedisReply::error("redis unavailable: the connection is closing", true));
        return;
    }
    if (!m_deadlineTimer.isActive())
        m_deadlineTimer.start();
}

void RedisConnection::handleReply(redisAsyncContext *context, void *reply, void *privdata)
{
    RedisConnection *self = owner(context);
    if (!self)
        return;
    auto node = self->m_pending.extract(quint64(reinterpret_cast<quintptr>(privdata)));
    if (node.empty())
        return; // answered already (timed out)
    if (!reply) {
        node.mapped().done(RedisReply::error(
            ("redis unavailable: " + (self->m_lastError.isEmpty() ? QStringLiteral("connection lost")
                                                                   : self->m_lastError)).toUtf8(), true));
        return;
    }
    node.mapped().done(copyReply(static_cast<const redisReply *>(reply)));
}

void RedisConnection::drop(const QString &why, bool hiredisFrees)
{
    if (!hiredisFrees && m_inHiredis > 0 && m_context) {
        // Called back from inside hiredis, which must not free its context now: refuse new
        // commands at once, free it once hiredis has returned (unless it has freed it by
        // then, having seen the connection end).
        m_lossUnreported = m_lossUnreported || m_state == State::Ready;
        m_state = State::Connecting;
        m_lastError = why;
        QMetaObject::invokeMethod(this, [this, why, generation = m_generation] {
            if (generation == m_generation && m_context)
                drop(why, false);
        }, Qt::QueuedConnection);
        return;
    }
    const bool wasReady = m_state == State::Ready || std::exchange(m_lossUnreported, false);
    m_lastError = why;
    if (redisAsyncContext *context = std::exchange(m_context, nullptr)) {
        detachNotifiers();
        context->data = nullptr;
        context->ev.data = nullptr;
        if (!hiredisFrees)
            redisAsyncFree(context);
    }
    m_state = m_wanted ? State::Connecting : State::Closed;
    if (wasReady || m_reconnects == 0)
        qCWarning(lcRedis).nospace().noquote() << m_options.name << ": " << why;
    failPending(why);
    if (wasReady)
        Q_EMIT lost(why);
    scheduleReconnect();
}

void RedisConnection::detachNotifiers()
{
    for (QPointer<QSocketNotifier> *notifier : {&m_read, &m_write}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
        }
        *notifier = nullptr;
    }
}

void RedisConnection::failPending(const QString &why)
{
    std::map<quint64, Pending> failed = std::exchange(m_pending, {});
    const RedisReply error = RedisReply::error(("redis unavailable: " + why).toUtf8(), true);
    for (auto &[id, pending] : failed)
        pending.done(error);
}

void RedisConnection::scheduleReconnect()
{
    if (!m_wanted || m_reconnectTimer.isActive())
        return;
    m_backoffMs = m_backoffMs == 0 ? backoffFirstMs : qMin(backoffMaxMs, m_backoffMs * 2);
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    ++m_reconnects;
    m_reconnectTimer.start(int(m_backoffMs * jitter));
}

void RedisConnection::checkDeadlines()
{
    const qint64 now = m_clock.elapsed();
    if (m_state == State::Connecting && m_context && now > m_connectDeadline) {
        drop(QStringLiteral("no answer from %1 within %2 ms").arg(m_options.url.display()).arg(m_options.timeoutMs),
             false);
        return;
    }
    if (m_pending.empty()) {
        if (m_state != State::Connecting)
            m_deadlineTimer.stop();
        return;
    }
    // Replies come in the order sent: the oldest late means the connection is stuck.
    if (now > m_pending.begin()->second.deadline)
        drop(QStringLiteral("no reply from %1 within %2 ms").arg(m_options.url.display()).arg(m_options.timeoutMs),
             false);
}

void RedisConnection::readable()
{
    if (!m_context)
        return;
    ++m_inHiredis;
    redisAsyncHandleRead(m_context);
    --m_inHiredis;
}

void RedisConnection::writable()
{
    if (!m_context)
        return;
    ++m_inHiredis;
    redisAsyncHandleWrite(m_context);
    --m_inHiredis;
}

void RedisConnection::watch(QSocketNotifier::Type type, bool on)
{
    QPointer<QSocketNotifier> &notifier = type == QSocketNotifier::Read ? m_read : m_write;
    if (!on) {
        if (notifier)
            notifier->setEnabled(false);
        return;
    }
    if (!m_context)
        return;
    if (!notifier) {
        notifier = new QSocketNotifier(m_context->c.fd, type, this);
        connect(notifier, &QSocketNotifier::activated, this,
                type == QSocketNotifier::Read ? &RedisConnection::readable : &RedisConnection::writable);
    }
    notifier->setEnabled(true);
}

void RedisConnection::addRead(void *data)
{
    if (auto *self = static_cast<RedisConnection *>(data))
        self->watch(QSocketNotifier::Read, true);
}

void RedisConnection::delRead(void *data)
{
    if (auto *self = static_cast<RedisConnection *>(data))
        self->watch(QSocketNotifier::Read, false);
}

void RedisConnection::addWrite(void *data)
{
    if (auto *self = static_cast<RedisConnection *>(data))
        self->watch(QSocketNotifier::Write, true);
}

void RedisConnection::delWrite(void *data)
{
    if (auto *self = static_cast<RedisConnection *>(data))
        self->watch(QSocketNotifier::Write, false);
}

void RedisConnection::cleanup(void *data)
{
    // hiredis is freeing the context: nothing may touch it from here on.
    auto *self = static_cast<RedisConnection *>(data);
    if (!self)
        return;
    self->detachNotifiers();
    self->m_context = nullptr;
}
