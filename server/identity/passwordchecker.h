#pragma once

#include "userdirectory.h"

#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>

// Checks login passwords on worker threads: a password hash costs about 165 ms of CPU
// (PasswordHash), which on the event loop would stall every stream. At most maxPending checks
// wait or run at once; past that check() refuses at once and the caller answers 503.
class PasswordChecker final
{
    Q_DISABLE_COPY_MOVE(PasswordChecker)

public:
    using Done = std::function<void(const UserDirectory::User *user)>;

    PasswordChecker(const UserDirectory *users, int threads, int maxPending);
    ~PasswordChecker();

    // Runs users->authenticate(name, password) on a worker; done(user or null) is called on
    // context's thread, and not at all if context is destroyed first. False: too many pending.
    bool check(const QString &name, const QString &password, QObject *context, Done done);
    int pending() const { return m_pending.load(); }

private:
    const UserDirectory *m_users;
    int m_maxPending;
    std::atomic<int> m_pending{0};
    QObject m_home; // on the owner's thread: results are posted here, then checked against their context
    QThreadPool m_pool;
};
