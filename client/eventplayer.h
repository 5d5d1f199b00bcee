#pragma once

#include "recordedevent.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

// Publishes a recording again with the same spacing (divided by speed), one event at a
// time: each is sent at its time or once the one before it is answered, whichever is
// later, so the order holds. Publishing goes through a function (the admin API for the
// CLI, the control channel for the console, a fake in tests).
class EventPlayer final : public QObject
{
    Q_OBJECT

public:
    using Answer = std::function<void(const QJsonObject &answer, const QString &error)>;
    using Publish = std::function<void(const QJsonObject &pushBody, Answer done)>;

    struct Options
    {
        double speed = 1.0;
        bool loop = false; // start over after the last event, until stopped
    };

    EventPlayer(QList<RecordedEvent> events, Options options, Publish publish, QObject *parent = nullptr);

    void start();
    void stop();

Q_SIGNALS:
    void published(qsizetype index, const QJsonObject &answer);
    // A publish was refused: playing stops.
    void failed(qsizetype index, const QString &error);
    // The last event was answered (never with loop).
    void finished(qsizetype count);

private:
    void scheduleNext();
    void sendNext();

    QList<RecordedEvent> m_events;
    Options m_options;
    Publish m_publish;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qsizetype m_next = 0;
    qint64 m_roundStartMs = 0; // the clock's time the current round started at
    bool m_running = false;
};
