#pragma once

#include "eventbus.h"
#include "fanout.h"

#include <QElapsedTimer>
#include <QJsonValue>
#include <QObject>

#include <functional>
#include <memory>

// The server's publishing front: it validates an event, hands it to the bus and answers
// once the bus has stored it (or with why not); the fan-out delivers what the bus commits.
// Operations on streams (pause, kick, close-session) apply to this node's streams and go to
// the bus for the others. The C++ API mirrors wakanda-eventsource: push, pushEvent and their
// JSON variants, each answering with the event id.
class Hub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Hub)

public:
    struct Options
    {
        qint64 maxEventBytes = 64 * 1024;
    };

    enum class PublishError { None, InvalidName, InvalidData, InvalidTarget, TooLarge, Unavailable };
    Q_ENUM(PublishError)
    struct PublishResult
    {
        QByteArray id;
        int delivered = 0;
        PublishError error = PublishError::None;
        QString message;
    };
    // Called exactly once per publish: at once for an event refused here, otherwise when the
    // bus has stored it (Unavailable: the bus could not).
    using PublishCallback = std::function<void(const PublishResult &)>;

    struct Stats
    {
        qint64 eventsPublished = 0;
        qint64 eventsRejected = 0;
        qint64 eventsTooLarge = 0;   // over --max-event-kb
        qint64 eventsUnavailable = 0; // the bus could not store them
    };

    Hub(std::unique_ptr<EventBus> bus, Fanout::Options fanoutOptions, Options options, QObject *parent = nullptr);
    ~Hub() override;

    void push(const QByteArray &data, const Target &target = {}, PublishCallback done = {});
    void pushEvent(const QByteArray &name, const QByteArray &data, const Target &target = {},
                   PublishCallback done = {});
    // The value is sent JSON-encoded (a string becomes "\"...\"").
    void pushJson(const QByteArray &name, const QJsonValue &value, const Target &target = {},
                  PublishCallback done = {});
    void publish(Event draft, PublishCallback done = {});
    // Why publish() would refuse this event at once (its name, a NUL, its size), or an error
    // of None: a batch is checked whole before any of it is published.
    PublishResult check(const Event &draft) const;
    // publish() for an event check() has passed: not checked again.
    void publishChecked(Event draft, PublishCallback done);

    // Targeted pushes (wakanda-eventsource's pushEventToSession/User/Group): one or several
    // sessions, users or groups, by id or by name; an empty name sends a plain message.
    void pushEventToSessions(const QStringList &sessions, const QByteArray &name, const QByteArray &data,
                             PublishCallback done = {});
    void pushEventToUsers(const QStringList &users, const QByteArray &name, const QByteArray &data,
                          PublishCallback done = {});
    void pushEventToGroups(const QStringList &groups, const QByteArray &name, const QByteArray &data,
                           PublishCallback done = {});
    // To the user (by id) and session of a principal, as the seed takes a User object.
    void pushEventToPrincipal(const Principal &principal, const QByteArray &name, const QByteArray &data,
                              PublishCallback done = {});

    // pause(delay): the addressed streams, except those in exceptGroups (by id or name),
    // get "retry: delayMs" and are closed, so clients come back after the delay. Returns
    // how many of this node's streams were paused.
    int pause(int delayMs, const Target &target = {}, const QStringList &exceptGroups = {});
    // Closes every stream of a session (login or logout changed who it is).
    int closeSession(const QString &sessionId);
    // Closed here; sent to the node whose number the id carries; or known nowhere.
    enum class KickResult { Closed, Sent, Unknown };
    KickResult kick(quint64 connectionId);
    // Every stream gets a final retry and is closed; what the bus holds is stored first.
    void shutdown();

    Fanout &fanout() { return m_fanout; }
    const Fanout &fanout() const { return m_fanout; }
    const EventBus &bus() const { return *m_bus; }
    // Test mode: the history emptied, its ids starting again.
    bool clearHistory() { return m_bus->clearHistory(); }
    const Stats &stats() const { return m_stats; }
    qint64 uptimeMs() const { return m_uptime.elapsed(); }

Q_SIGNALS:
    void eventPublished(const Event &event, int delivered);

private:
    void pushTargeted(const Target &target, const QByteArray &name, const QByteArray &data, PublishCallback done);
    void refuse(PublishError error, QString message, const PublishCallback &done);

    std::unique_ptr<EventBus> m_bus;
    Fanout m_fanout;
    Options m_options;
    Stats m_stats;
    QElapsedTimer m_uptime;
};
