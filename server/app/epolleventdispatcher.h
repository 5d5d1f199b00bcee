#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>
#include <QHash>

#include <memory>
#include <vector>

class QTimerInfoList;

// An event dispatcher on epoll. Qt's own (QEventDispatcherUNIX) rebuilds and scans a
// pollfd array of every socket on each event-loop turn: with 10,000 streams that is ~10 ms
// a turn, so even a push to one stream cost as much as a broadcast. epoll hands back only
// the sockets that are ready. Timers are Qt's own QTimerInfoList (private API, pinned to the
// Qt 6.4 that Debian 12 ships); posted events and wake-ups work as in Qt's dispatcher.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;
    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;
    void wakeUp() override;
    void interrupt() override;

private:
    struct Notifiers
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        bool watched = false; // in the epoll set
    };
    QSocketNotifier *&slot(Notifiers &notifiers, int type);
    void updateInterest(int fd, Notifiers &notifiers);
    int activateNotifiers(int ready);

    int m_epoll = -1;
    int m_wakeFd = -1;
    QAtomicInt m_wakeUps;
    QAtomicInt m_interrupt;
    QHash<int, Notifiers> m_notifiers;
    std::unique_ptr<QTimerInfoList> m_timers; // private Qt header: kept out of this one
    std::vector<struct epoll_event> m_events;
};
