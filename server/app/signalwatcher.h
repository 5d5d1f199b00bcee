#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGTERM and SIGINT (stop) and SIGHUP (reload) into Qt signals: the handler only
// writes a byte to a pipe, and the event loop reads it (nothing else is safe inside a signal
// handler).
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);
    void reloadRequested();

private:
    void handleActivated();

    QSocketNotifier *m_notifier = nullptr;
};
