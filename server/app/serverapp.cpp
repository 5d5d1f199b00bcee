#include "serverapp.h"

#include "controlprotocol.h"
#include "faultinjector.h"
#include "http1responder.h"
#include "http2front.h"
#include "httplistener.h"
#include "privatefiles.h"
#include "publicrequest.h"
#include "hub.h"
#include "localbus.h"
#include "clusterpresence.h"
#include "clustersessions.h"
#include "redisbus.h"
#include "ringeventlog.h"
#include "sqliteeventlog.h"
#include "tcplistener.h"
#include "tlscontext.h"

#include <QDir>
#include <QFile>
#include <QHostInfo>
#include <QHttpServerRequest>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcApp, "eventsource.server.app")

namespace {
constexpr int shutdownGraceMs = 3000;
}

ServerApp::ServerApp(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
}

ServerApp::~ServerApp() = default;

QString ServerApp::prepareAdminToken()
{
    if (!m_config.adminToken.isEmpty())
        return {};
    const QString file = m_config.dataDir.isEmpty()
        ? QString() : QDir(m_config.dataDir).filePath(QStringLiteral("admin-token"));
    if (!file.isEmpty()) {
        QFile existing(file);
        if (existing.open(QIODevice::ReadOnly)) {
            m_config.adminToken = QString::fromLatin1(existing.readAll().trimmed());
            if (!m_config.adminToken.isEmpty())
                return {};
        }
    }
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    m_config.adminToken = QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
    m_tokenGenerated = true;
    m_tokenFile = file; // written once the listeners are bound: a start that fails leaves none
    return {};
}

QString ServerApp::start()
{
    std::unique_ptr<EventBus> bus;
    if (!m_config.redisUrl.isEmpty()) {
        if (!m_config.dataDir.isEmpty())
            if (const QString error = PrivateFiles::secureDir(m_config.dataDir); !error.isEmpty())
                return error;
        QString error;
        RedisBus::Options cluster;
        cluster.url = *RedisUrl::parse(m_config.redisUrl, &error); // checked by ConfigLoader
        cluster.prefix = m_config.redisPrefix;
        cluster.timeoutMs = m_config.redisTimeoutMs;
        cluster.capacity = m_config.historySize;
        cluster.maxBytes = qint64(m_config.historyMaxMb) * 1024 * 1024;
        cluster.nodeId = m_config.nodeId;
        auto redis = std::make_unique<RedisBus>(cluster);
        m_redisBus = redis.get();
        bus = std::move(redis);
    } else {
        std::unique_ptr<EventLog> log;
        const qint64 historyBytes = qint64(m_config.historyMaxMb) * 1024 * 1024;
        if (m_config.dataDir.isEmpty()) {
            log = std::make_unique<RingEventLog>(m_config.historySize, historyBytes,
                                                 m_config.testMode ? QByteArray(RingEventLog::testEpoch)
                                                                   : EventId::newEpoch());
        } else {
            if (const QString error = PrivateFiles::secureDir(m_config.dataDir); !error.isEmpty())
                return error;
            SqliteEventLog::Options history;
            history.capacity = m_config.historySize;
            history.maxBytes = historyBytes;
            history.sync = m_config.historySyncFull ? SqliteEventLog::Sync::Full : SqliteEventLog::Sync::Normal;
            SqliteEventLog::OpenResult opened = SqliteEventLog::open(m_config.dataDir, history);
            if (!opened.log)
                return opened.error;
            log = std::move(opened.log);
        }
        bus = std::make_unique<LocalBus>(std::move(log));
    }
    if (const QString error = prepareAdminToken(); !error.isEmpty())
        return error;
    if (!m_config.usersFile.isEmpty()) {
        QString error;
        m_users = UserDirectory::load(m_config.usersFile, &error);
        if (!m_users)
            return QStringLiteral("users file %1: %2").arg(m_config.usersFile, error);
    }
    if (m_config.adminToken.size() < 32)
        qCWarning(lcApp) << "the admin token is shorter than 32 characters: it can be guessed; "
                            "leave --admin-token out to have one generated";
    if (!m_config.jwtSecret.isEmpty() && m_config.jwtSecret.size() < 32)
        qCWarning(lcApp) << "the JWT secret is shorter than 32 bytes: tokens can be forged by brute force";

    Fanout::Options options;
    options.heartbeatMs = m_config.heartbeatMs;
    options.retryMs = m_config.retryMs;
    options.initialPadding = m_config.initialPadding;
    options.maxBufferBytes = qint64(m_config.maxBufferKb) * 1024;
    options.sendThreads = m_config.sendThreads >= 0
        ? m_config.sendThreads : std::clamp(QThread::idealThreadCount() - 1, 0, 3);
    const qint64 maxEventBytes = qint64(m_config.maxEventKb) * 1024;
    m_hub = new Hub(std::move(bus), options, Hub::Options{maxEventBytes}, this);

    IdentityResolver::Options identity;
    identity.jwtSecret = m_config.jwtSecret.toUtf8();
    identity.jwtCookie = m_config.jwtCookie.toLatin1();
    identity.sessionCookie = m_config.sessionCookie.toLatin1();
    identity.allowQueryToken = m_config.allowQueryToken;
    identity.allowAnonymous = m_config.allowAnonymous;
    identity.secureCookies = m_config.secureCookies;
    m_identity = std::make_unique<IdentityResolver>(identity, m_users ? &*m_users : nullptr, &m_sessions);
    m_stream = std::make_unique<StreamEndpoint>(
        &m_hub->fanout(), m_identity.get(), &m_httpStats,
        StreamEndpoint::Options{m_config.path, m_config.allowOrigins, m_config.maxConnections,
                                m_config.maxConnectionsPerIp, m_config.maxFilterNames, m_config.retryMs});
    FailureThrottle::Options throttle;
    throttle.perMinute = m_config.authFailuresPerMinute;
    throttle.burst = qMax(1, m_config.authFailuresPerMinute);
    if (m_users)
        m_passwordChecker = std::make_unique<PasswordChecker>(
            &*m_users, std::clamp(QThread::idealThreadCount() - 1, 1, 4), m_config.maxPendingLogins);
    m_login = std::make_unique<LoginEndpoint>(m_hub, m_users ? &*m_users : nullptr, m_passwordChecker.get(),
                                              &m_sessions, m_identity.get(), CorsPolicy(m_config.allowOrigins),
                                              throttle);
    m_static = std::make_unique<StaticEndpoint>(m_config.demo, m_config.path);
    m_operations = std::make_unique<AdminOperations>(m_hub, &m_httpStats);
    m_operations->setTestMode(m_config.testMode);
    if (m_config.testFaults) {
        auto *faults = new FaultInjector(&m_hub->fanout(), m_hub);
        m_stream->setFaults(faults);
        m_operations->setFaults(faults);
        qCWarning(lcApp) << "test faults are on (--test-faults): the admin API can stall, cut and refuse streams";
    }
    m_adminAuth = std::make_unique<AdminAuth>(m_config.adminToken.toLatin1(), throttle);
    m_admin = std::make_unique<AdminEndpoint>(m_hub, m_operations.get(), m_adminAuth.get(), &m_httpStats);
    m_publicListener = new HttpListener(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            handlePublic(PublicRequest(request), std::make_unique<Http1Responder>(std::move(responder)));
        }, this);
    m_adminListener = new HttpListener(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            m_admin->handle(request, std::move(responder));
        }, this);
    m_adminListener->setWebSocketPath(QLatin1String(ControlProtocol::path));
    // Login forms are the largest public bodies; admin pushes carry one event, which JSON
    // escaping can make up to six times its size.
    const qint64 publicBody = 64 * 1024;
    const qint64 adminBody = 6 * maxEventBytes + 64 * 1024;
    ControlServer::Options control;
    control.maxBufferBytes = options.maxBufferBytes;
    control.maxMessageBytes = adminBody;
    control.allowOrigins = m_config.adminAllowOrigins;
    m_control = new ControlServer(m_hub, m_operations.get(), m_adminAuth.get(), control, this);
    m_control->attach(m_adminListener);
    if (QString error = bind(m_publicListener, m_config.listenAddress, m_config.listenPort, publicBody,
                             m_config.publicTls, &m_publicTcp); !error.isEmpty())
        return QStringLiteral("public listener: ") + error;
    Http2Session::Options http2;
    http2.maxConcurrentStreams = m_config.h2MaxStreams;
    http2.maxHeaderBytes = qint64(m_config.maxHeaderKb) * 1024;
    http2.maxBodyBytes = publicBody;
    http2.requestTimeoutMs = m_config.requestTimeoutMs;
    m_http2 = new Http2Front(http2, [this](const PublicRequest &request, std::unique_ptr<PublicResponder> responder) {
        handlePublic(request, std::move(responder));
    }, &m_httpStats, this);
    m_publicTcp->setHttp2([this](ByteStream *connection) { m_http2->serve(connection); });
    if (QString error = bind(m_adminListener, m_config.adminAddress, m_config.adminPort, adminBody,
                             m_config.adminTls, &m_adminTcp); !error.isEmpty())
        return QStringLiteral("admin listener: ") + error;
    if (m_tokenGenerated && !m_tokenFile.isEmpty()) {
        if (const QString error = PrivateFiles::write(m_tokenFile, m_config.adminToken.toLatin1() + '\n'); !error.isEmpty())
            return error;
    }
    m_publicPort = m_publicTcp->serverPort();
    m_adminPort = m_adminTcp->serverPort();
    QUrl streamUrl;
    streamUrl.setScheme(m_config.publicTls ? QStringLiteral("https") : QStringLiteral("http"));
    streamUrl.setHost(m_config.listenAddress.toString());
    streamUrl.setPort(m_publicPort);
    streamUrl.setPath(m_config.path);
    m_control->setStreamUrl(streamUrl);
    if (m_redisBus) {
        // Joins when Redis answers; until then streams are served and publishes refused.
        const QString nodeId = m_config.nodeId.isEmpty()
            ? QStringLiteral("%1-%2").arg(QHostInfo::localHostName()).arg(m_publicPort) : m_config.nodeId;
        m_redisBus->setNodeId(nodeId);
        connect(m_redisBus, &RedisBus::joined, this,
                [this](quint64 number) { m_hub->fanout().setNodeNumber(number); });
        m_redisBus->start();
        ClusterPresence::Options presence;
        QString error;
        presence.url = *RedisUrl::parse(m_config.redisUrl, &error); // checked by ConfigLoader
        presence.prefix = m_config.redisPrefix;
        presence.timeoutMs = m_config.redisTimeoutMs;
        presence.nodeId = nodeId;
        m_presence = new ClusterPresence(presence, &m_hub->fanout(), [nodeId](const SseConnection &connection) {
            ConnectionRecord record = AdminOperations::record(connection);
            record.node = nodeId;
            return record.toJson();
        }, this);
        connect(m_presence, &ClusterPresence::conflict, this, &ServerApp::failed);
        m_operations->setPresence(m_presence);
        m_control->setPresence(m_presence);
        m_presence->start();
        ClusterSessions::Options shared;
        shared.url = presence.url;
        shared.prefix = m_config.redisPrefix;
        shared.timeoutMs = m_config.redisTimeoutMs;
        auto *sessions = new ClusterSessions(shared, &m_sessions, m_redisBus, this);
        sessions->start();
    }
    const char *history = m_redisBus ? "redis" : m_config.dataDir.isEmpty() ? "memory" : "sqlite";
    qCInfo(lcApp).nospace().noquote() << "started public=" << m_config.listenAddress.toString() << ':'
                                      << m_publicPort << " admin=" << m_config.adminAddress.toString() << ':'
                                      << m_adminPort << " path=" << m_config.path << " history=" << history
                                      << " send_threads=" << options.sendThreads;
    return {};
}

QString ServerApp::bind(HttpListener *listener, const QHostAddress &address, quint16 port, qint64 maxBodyBytes,
                        const std::optional<TlsCredentials> &tls, TcpListener **bound)
{
    SocketGuard::Limits limits;
    limits.maxHeaderBytes = qint64(m_config.maxHeaderKb) * 1024;
    limits.maxBodyBytes = maxBodyBytes;
    limits.requestTimeoutMs = m_config.requestTimeoutMs;
    auto *tcp = new TcpListener(limits, &m_httpStats, listener);
    if (tls) {
        std::shared_ptr<const TlsContext> context = tlsContext(*tls, tcp);
        if (!context)
            return QStringLiteral("OpenSSL cannot use the TLS certificate");
        tcp->setTls(std::move(context));
    }
    if (!tcp->listen(address, port))
        return QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(tcp->errorString());
    tcp->bindTo(listener);
    *bound = tcp;
    return {};
}

void ServerApp::handlePublic(const PublicRequest &request, std::unique_ptr<PublicResponder> responder)
{
    if (m_static->handles(request.url().path()))
        m_static->handle(request, *responder);
    else if (LoginEndpoint::handles(request.url().path()))
        m_login->handle(request, std::move(responder));
    else
        m_stream->handle(request, *responder);
}

std::shared_ptr<const TlsContext> ServerApp::tlsContext(const TlsCredentials &credentials, const TcpListener *tcp) const
{
    // HTTP/2 is offered on the public listener only.
    if (tcp->parent() == m_publicListener)
        return credentials.serverContext({QByteArrayLiteral("h2"), QByteArrayLiteral("http/1.1")});
    return credentials.serverContext({QByteArrayLiteral("http/1.1")});
}

void ServerApp::reload()
{
    const auto reloadOne = [this](const char *name, std::optional<TlsCredentials> &credentials, TcpListener *tcp) {
        if (!credentials || !tcp)
            return;
        QString error;
        std::optional<TlsCredentials> renewed =
            TlsCredentials::load(credentials->certificateFile(), credentials->keyFile(), &error);
        if (!renewed) {
            qCWarning(lcApp).nospace().noquote() << name << " TLS certificate not reloaded, the old one stays: " << error;
            return;
        }
        std::shared_ptr<const TlsContext> context = tlsContext(*renewed, tcp);
        if (!context) {
            qCWarning(lcApp).nospace() << name << " TLS certificate not reloaded, the old one stays: OpenSSL refused it";
            return;
        }
        credentials = std::move(renewed);
        tcp->setTls(std::move(context));
        qCInfo(lcApp).nospace().noquote() << name << " TLS certificate reloaded subject=" << credentials->subject()
                                          << " expires=" << credentials->expiresAt().toString(Qt::ISODate);
    };
    reloadOne("public", m_config.publicTls, m_publicTcp);
    reloadOne("admin", m_config.adminTls, m_adminTcp);
}

void ServerApp::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (!m_hub) {
        QTimer::singleShot(0, this, &ServerApp::stopped);
        return;
    }
    qCInfo(lcApp).nospace() << "stopping streams=" << m_hub->fanout().connectionCount();
    for (HttpListener *listener : {m_publicListener, m_adminListener}) {
        for (QTcpServer *server : listener->servers())
            server->close();
    }
    if (m_presence)
        m_presence->stop();
    // Stopped once every stream had its final retry: and, after that, every HTTP/2
    // connection its GOAWAY.
    connect(&m_hub->fanout(), &Fanout::drained, this, [this] {
        if (m_http2 && m_http2->sessionCount() > 0)
            connect(m_http2, &Http2Front::drained, this, &ServerApp::stopped, Qt::UniqueConnection);
        else
            Q_EMIT stopped();
    });
    QTimer::singleShot(shutdownGraceMs, this, &ServerApp::stopped);
    m_hub->shutdown();
    if (m_http2)
        m_http2->shutdown();
}
