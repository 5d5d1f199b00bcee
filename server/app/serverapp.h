#pragma once

#include "adminauth.h"
#include "adminendpoint.h"
#include "adminoperations.h"
#include "controlserver.h"
#include "httplimitstats.h"
#include "identityresolver.h"
#include "loginendpoint.h"
#include "passwordchecker.h"
#include "publicresponder.h"
#include "serverconfig.h"
#include "sessionstore.h"
#include "staticendpoint.h"
#include "streamendpoint.h"
#include "userdirectory.h"

#include <QObject>

#include <memory>
#include <optional>

class Hub;
class ClusterPresence;
class RedisBus;
class HttpListener;
class Http2Front;
class TcpListener;
class TlsContext;

// Wires the server together from its configuration: event log and bus, hub, the public and the
// admin listeners. main() only parses arguments and runs it.
class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(ServerConfig config, QObject *parent = nullptr);
    ~ServerApp() override;

    // Opens the history and binds both listeners; on failure returns why.
    QString start();
    // Closes every stream with a final retry, flushes history, then emits stopped().
    void stop();
    // SIGHUP: loads the TLS certificates and keys again (renewed files) for new connections;
    // open streams keep theirs. A file that does not load leaves the old one in use.
    void reload();

    Hub *hub() const { return m_hub; }
    quint16 publicPort() const { return m_publicPort; }
    quint16 adminPort() const { return m_adminPort; }
    // The token in force (generated when the configuration had none).
    QString adminToken() const { return m_config.adminToken; }
    bool adminTokenGenerated() const { return m_tokenGenerated; }

Q_SIGNALS:
    void stopped();
    // A configuration error found while running (another live node has this node id).
    void failed(const QString &error);

private:
    QString prepareAdminToken();
    // The public listener's routes, for HTTP/1.1 and HTTP/2 alike.
    void handlePublic(const PublicRequest &request, std::unique_ptr<PublicResponder> responder);
    QString bind(HttpListener *listener, const QHostAddress &address, quint16 port, qint64 maxBodyBytes,
                 const std::optional<TlsCredentials> &tls, TcpListener **bound);
    // The OpenSSL context for tcp's listener: ALPN offers h2 before http/1.1 on the public
    // one, http/1.1 alone on the admin one.
    std::shared_ptr<const TlsContext> tlsContext(const TlsCredentials &credentials, const TcpListener *tcp) const;

    ServerConfig m_config;
    HttpLimitStats m_httpStats;
    Hub *m_hub = nullptr;
    RedisBus *m_redisBus = nullptr; // owned by the hub; set in a cluster
    ClusterPresence *m_presence = nullptr;
    std::optional<UserDirectory> m_users;
    std::unique_ptr<PasswordChecker> m_passwordChecker;
    SessionStore m_sessions;
    std::unique_ptr<IdentityResolver> m_identity;
    std::unique_ptr<StreamEndpoint> m_stream;
    std::unique_ptr<LoginEndpoint> m_login;
    std::unique_ptr<StaticEndpoint> m_static;
    std::unique_ptr<AdminOperations> m_operations;
    std::unique_ptr<AdminAuth> m_adminAuth;
    std::unique_ptr<AdminEndpoint> m_admin;
    ControlServer *m_control = nullptr;
    HttpListener *m_publicListener = nullptr;
    HttpListener *m_adminListener = nullptr;
    Http2Front *m_http2 = nullptr;
    TcpListener *m_publicTcp = nullptr;
    TcpListener *m_adminTcp = nullptr;
    quint16 m_publicPort = 0;
    quint16 m_adminPort = 0;
    bool m_tokenGenerated = false;
    QString m_tokenFile; // where a generated token is kept (DATA-DIR/admin-token), if anywhere
    bool m_stopping = false;
};
