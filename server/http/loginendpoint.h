#pragma once

#include "corspolicy.h"
#include "failurethrottle.h"
#include "userdirectory.h"

#include <QElapsedTimer>

#include <memory>

class Hub;
class IdentityResolver;
class PasswordChecker;
class PublicRequest;
class PublicResponder;
class SessionStore;

// POST /login (JSON {"username", "password"} or an HTML form) and POST /logout on the public
// listener, for the built-in user directory. Either one changes who the browser's session
// is, so the session's open streams are closed: EventSource reconnects by itself, with the
// new identity. Passwords are checked off the event loop (PasswordChecker: 503 when too many
// wait); wrong ones are throttled per client address and per user name (429, Retry-After).
class LoginEndpoint final
{
public:
    LoginEndpoint(Hub *hub, const UserDirectory *users, PasswordChecker *checker, SessionStore *sessions,
                  const IdentityResolver *identity, CorsPolicy cors, FailureThrottle::Options throttle);

    static bool handles(const QString &path);
    void handle(const PublicRequest &request, std::unique_ptr<PublicResponder> responder);

private:
    void login(const PublicRequest &request, std::unique_ptr<PublicResponder> responder,
               const CorsPolicy::Headers &cors);
    void loggedIn(PublicResponder &responder, const UserDirectory::User &user, const QString &previousSession,
                  CorsPolicy::Headers headers);
    void logout(const PublicRequest &request, PublicResponder &responder, const CorsPolicy::Headers &cors);

    Hub *m_hub;
    const UserDirectory *m_users;
    PasswordChecker *m_checker;
    SessionStore *m_sessions;
    const IdentityResolver *m_identity;
    CorsPolicy m_cors;
    FailureThrottle m_byAddress;
    FailureThrottle m_byName;
    QElapsedTimer m_clock;
};
