#include "passwordchecker.h"

#include <QMetaObject>
#include <QPointer>

PasswordChecker::PasswordChecker(const UserDirectory *users, int threads, int maxPending)
    : m_users(users)
    , m_maxPending(qMax(1, maxPending))
{
    m_pool.setMaxThreadCount(qMax(1, threads));
}

PasswordChecker::~PasswordChecker()
{
    // Checks not started yet are dropped; the running ones end within one hash.
    m_pool.clear();
    m_pool.waitForDone();
}

bool PasswordChecker::check(const QString &name, const QString &password, QObject *context, Done done)
{
    if (m_pending.fetch_add(1) >= m_maxPending) {
        m_pending.fetch_sub(1);
        return false;
    }
    // The context is only looked at on this thread, once the result is back.
    QPointer<QObject> target(context);
    m_pool.start([this, name, password, target, done = std::move(done)] {
        const UserDirectory::User *user = m_users->authenticate(name, password);
        m_pending.fetch_sub(1);
        QMetaObject::invokeMethod(&m_home, [target, done, user] {
            if (target)
                done(user);
        }, Qt::QueuedConnection);
    });
    return true;
}
