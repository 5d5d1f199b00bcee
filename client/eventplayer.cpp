#include "eventplayer.h"

#include "pushrequest.h"

#include <QPointer>

#include <algorithm>
#include <climits>
#include <cmath>

EventPlayer::EventPlayer(QList<RecordedEvent> events, Options options, Publish publish, QObject *parent)
    : QObject(parent)
    , m_events(std::move(events))
    , m_options(options)
    , m_publish(std::move(publish))
{
    m_timer.setSingleShot(true);
    // Never early: a replayed gap is at least the recorded one (divided by the speed).
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &EventPlayer::sendNext);
}

void EventPlayer::start()
{
    m_running = true;
    m_next = 0;
    m_clock.start();
    m_roundStartMs = 0;
    scheduleNext();
}

void EventPlayer::stop()
{
    m_running = false;
    m_timer.stop();
}

void EventPlayer::scheduleNext()
{
    if (!m_running)
        return;
    if (m_next >= m_events.size()) {
        if (!m_options.loop || m_events.isEmpty()) {
            m_running = false;
            Q_EMIT finished(m_events.size());
            return;
        }
        m_next = 0;
        m_roundStartMs = m_clock.elapsed();
    }
    const qint64 offset = m_events.at(m_next).atMs - m_events.first().atMs;
    const qint64 due = m_roundStartMs + qint64(std::ceil(double(offset) / m_options.speed));
    m_timer.start(int(std::clamp<qint64>(due - m_clock.elapsed(), 0, INT_MAX)));
}

void EventPlayer::sendNext()
{
    const qsizetype index = m_next;
    const RecordedEvent &event = m_events.at(index);
    m_publish(PushRequest::body(event.event, event.data, false),
              [this, alive = QPointer<EventPlayer>(this), index](const QJsonObject &answer, const QString &error) {
                  if (!alive || !m_running)
                      return;
                  if (!error.isEmpty()) {
                      m_running = false;
                      Q_EMIT failed(index, error);
                      return;
                  }
                  Q_EMIT published(index, answer);
                  m_next = index + 1;
                  scheduleNext();
              });
}
