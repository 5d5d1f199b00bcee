#include "epolleventdispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <private/qtimerinfo_unix_p.h>

#include <cerrno>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcDispatcher, "eventsource.server.dispatcher")

namespace {
constexpr size_t maxEventsPerTurn = 4096;
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    , m_timers(std::make_unique<QTimerInfoList>())
    , m_events(maxEventsPerTurn)
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("epoll or eventfd unavailable: %s", strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &event);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    qDeleteAll(*m_timers);
    ::close(m_wakeFd);
    ::close(m_epoll);
}

QSocketNotifier *&EpollEventDispatcher::slot(Notifiers &notifiers, int type)
{
    if (type == QSocketNotifier::Read)
        return notifiers.read;
    if (type == QSocketNotifier::Write)
        return notifiers.write;
    return notifiers.exception;
}

void EpollEventDispatcher::updateInterest(int fd, Notifiers &notifiers)
{
    epoll_event event{};
    event.data.fd = fd;
    event.events = (notifiers.read ? EPOLLIN : 0u) | (notifiers.write ? EPOLLOUT : 0u)
        | (notifiers.exception ? EPOLLPRI : 0u);
    if (event.events == 0) {
        if (notifiers.watched)
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
        notifiers.watched = false;
        return;
    }
    const int first = notifiers.watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    notifiers.watched = true;
    if (epoll_ctl(m_epoll, first, fd, &event) == 0)
        return;
    // The fd may have been closed and reused behind our back (epoll then dropped it), or
    // registered under a notifier we were not told about: try the other way.
    const int second = first == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(m_epoll, second, fd, &event) != 0)
        qCWarning(lcDispatcher).nospace() << "cannot watch fd=" << fd << " error=" << strerror(errno);
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Notifiers &notifiers = m_notifiers[fd];
    slot(notifiers, notifier->type()) = notifier;
    updateInterest(fd, notifiers);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_notifiers.find(fd);
    if (it == m_notifiers.end())
        return;
    QSocketNotifier *&current = slot(*it, notifier->type());
    if (current != notifier)
        return;
    current = nullptr;
    updateInterest(fd, *it);
    if (!it->read && !it->write && !it->exception)
        m_notifiers.erase(it);
}

int EpollEventDispatcher::activateNotifiers(int ready)
{
    int activated = 0;
    for (int i = 0; i < ready; ++i) {
        const int fd = m_events[size_t(i)].data.fd;
        const uint32_t events = m_events[size_t(i)].events;
        if (fd == m_wakeFd)
            continue;
        const bool failed = events & (EPOLLERR | EPOLLHUP);
        const struct { int type; bool on; } kinds[] = {
            {QSocketNotifier::Read, bool(events & EPOLLIN) || failed},
            {QSocketNotifier::Write, bool(events & EPOLLOUT) || failed},
            {QSocketNotifier::Exception, bool(events & EPOLLPRI)},
        };
        for (const auto &kind : kinds) {
            if (!kind.on)
                continue;
            // Look up again each time: an earlier activation may have removed this one.
            const auto it = m_notifiers.find(fd);
            if (it == m_notifiers.end())
                break;
            QSocketNotifier *notifier = slot(*it, kind.type);
            if (!notifier)
                continue;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++activated;
        }
    }
    return activated;
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupt.storeRelaxed(0);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool mayWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupt.loadRelaxed();
    if (mayWait)
        Q_EMIT aboutToBlock();
    if (m_interrupt.loadRelaxed())
        return false;

    // Posted events wake us through the eventfd, so waiting here never strands one.
    int timeoutMs = mayWait ? -1 : 0;
    timespec wait{};
    if (mayWait && includeTimers && m_timers->timerWait(wait))
        timeoutMs = int(wait.tv_sec * 1000 + (wait.tv_nsec + 999999) / 1000000);

    int ready = epoll_wait(m_epoll, m_events.data(), int(m_events.size()), timeoutMs);
    if (ready < 0) {
        if (errno != EINTR)
            qCWarning(lcDispatcher) << "epoll_wait failed:" << strerror(errno);
        ready = 0;
    }
    int handled = 0;
    for (int i = 0; i < ready; ++i) {
        if (m_events[size_t(i)].data.fd == m_wakeFd) {
            eventfd_t value;
            eventfd_read(m_wakeFd, &value);
            m_wakeUps.storeRelease(0);
            ++handled;
        }
    }
    if (includeNotifiers)
        handled += activateNotifiers(ready);
    if (includeTimers)
        handled += m_timers->activateTimers();
    return handled > 0;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    m_timers->registerTimer(timerId, interval, timerType, object);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers->unregisterTimer(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return m_timers->unregisterTimers(object);
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    return m_timers->registeredTimers(object);
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    return m_timers->timerRemainingTime(timerId);
}

void EpollEventDispatcher::wakeUp()
{
    // Many posts between two turns need one wake-up.
    if (m_wakeUps.testAndSetAcquire(0, 1))
        eventfd_write(m_wakeFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupt.storeRelaxed(1);
    wakeUp();
}
