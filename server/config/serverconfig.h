#pragma once

#include "tlscredentials.h"

#include <QHostAddress>
#include <QStringList>

#include <optional>

// Everything the server is told at start. Defaults are the embedded configuration.
struct ServerConfig final
{
    QHostAddress listenAddress = QHostAddress::Any;
    quint16 listenPort = 8080;
    QHostAddress adminAddress = QHostAddress::LocalHost;
    quint16 adminPort = 8081;
    QString adminToken;       // empty: generated at start
    QString dataDir;          // empty: history in memory only
    QString path = QStringLiteral("/eventsource");
    QStringList allowOrigins; // "*" allows every origin
    int heartbeatMs = 15000;
    int retryMs = 3000;
    int historySize = 1000;
    int historyMaxMb = 64;        // event memory of the history
    bool historySyncFull = false; // SQLite synchronous=FULL instead of NORMAL
    int maxConnections = 10000;
    int maxConnectionsPerIp = 0; // 0: no limit (NAT gateways put many users behind one address)
    int maxFilterNames = 256;
    int authFailuresPerMinute = 10; // 0: failures are not throttled
    int maxPendingLogins = 32;
    QStringList adminAllowOrigins; // browser origins allowed on /control besides the admin listener's own
    int maxBufferKb = 512;
    int maxEventKb = 64;
    int maxHeaderKb = 16;
    int requestTimeoutMs = 10000;
    int h2MaxStreams = 128;
    int initialPadding = 0;   // bytes of comment after "retry", for old polyfills
    bool testFaults = false;  // /api/faults may sabotage streams (test hubs only)
    bool testMode = false;    // ids test-1, test-2...; POST /api/reset
    bool demo = false;        // GET /demo on the public listener
    int sendThreads = -1;     // helper threads for large flushes; -1: cores - 1, at most 3
    QString jwtSecret;        // empty: tokens refused
    QString jwtCookie = QStringLiteral("eventsource_token");
    bool allowQueryToken = false;
    QString usersFile;        // empty: no /login
    bool allowAnonymous = true;
    QString sessionCookie = QStringLiteral("eventsource_session");
    bool secureCookies = false;
    QString redisUrl;         // empty: standalone
    QString nodeId;           // empty: <hostname>-<public port>
    QString redisPrefix = QStringLiteral("eventsource:");
    int redisTimeoutMs = 2000;
    QString tlsCertFile; // empty: the public listener speaks plain HTTP
    QString tlsKeyFile;
    QString adminTlsCertFile;
    QString adminTlsKeyFile;
    std::optional<TlsCredentials> publicTls; // loaded from the files above
    std::optional<TlsCredentials> adminTls;
};
