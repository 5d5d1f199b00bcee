#pragma once

#include "corspolicy.h"

#include <QHttpServerResponder>

class Hub;
class IdentityResolver;
class QHttpServerRequest;
class SessionStore;
class UserDirectory;

// POST /login (JSON {"username", "password"} or an HTML form) and POST /logout on the public
// listener, for the built-in user directory. Either one changes who the browser's session
// is, so the session's open streams are closed: EventSource reconnects by itself, with the
// new identity.
class LoginEndpoint final
{
public:
    LoginEndpoint(Hub *hub, const UserDirectory *users, SessionStore *sessions,
                  const IdentityResolver *identity, CorsPolicy cors);

    static bool handles(const QString &path);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);

private:
    void login(const QHttpServerRequest &request, QHttpServerResponder &responder,
               const CorsPolicy::Headers &cors);
    void logout(const QHttpServerRequest &request, QHttpServerResponder &responder,
                const CorsPolicy::Headers &cors);

    Hub *m_hub;
    const UserDirectory *m_users;
    SessionStore *m_sessions;
    const IdentityResolver *m_identity;
    CorsPolicy m_cors;
};
