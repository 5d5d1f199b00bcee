#include "hub.h"

Hub::Hub(std::unique_ptr<EventBus> bus, Fanout::Options fanoutOptions, Options options, QObject *parent)
    : QObject(parent)
    , m_bus(std::move(bus))
    , m_fanout(m_bus.get(), fanoutOptions)
    , m_options(options)
{
    m_uptime.start();
    connect(&m_fanout, &Fanout::eventDelivered, this, [this](const Event &event, int delivered) {
        ++m_stats.eventsPublished;
        Q_EMIT eventPublished(event, delivered);
    });
}

Hub::~Hub()
{
    m_bus->flush();
}

void Hub::push(const QByteArray &data, const Target &target, PublishCallback done)
{
    pushEvent({}, data, target, std::move(done));
}

void Hub::pushEvent(const QByteArray &name, const QByteArray &data, const Target &target, PublishCallback done)
{
    Event draft;
    draft.name = name;
    draft.data = data;
    draft.target = target;
    publish(std::move(draft), std::move(done));
}

void Hub::pushJson(const QByteArray &name, const QJsonValue &value, const Target &target, PublishCallback done)
{
    pushEvent(name, Event::encodeJson(value), target, std::move(done));
}

void Hub::pushTargeted(const Target &target, const QByteArray &name, const QByteArray &data, PublishCallback done)
{
    // An empty list of recipients is nobody, not everyone.
    if (target.isBroadcast())
        return refuse(PublishError::InvalidTarget, QStringLiteral("no recipient given"), done);
    pushEvent(name, data, target, std::move(done));
}

void Hub::pushEventToSessions(const QStringList &sessions, const QByteArray &name, const QByteArray &data,
                              PublishCallback done)
{
    pushTargeted(Target{sessions, {}, {}}, name, data, std::move(done));
}

void Hub::pushEventToUsers(const QStringList &users, const QByteArray &name, const QByteArray &data,
                           PublishCallback done)
{
    pushTargeted(Target{{}, users, {}}, name, data, std::move(done));
}

void Hub::pushEventToGroups(const QStringList &groups, const QByteArray &name, const QByteArray &data,
                            PublishCallback done)
{
    pushTargeted(Target{{}, {}, groups}, name, data, std::move(done));
}

void Hub::pushEventToPrincipal(const Principal &principal, const QByteArray &name, const QByteArray &data,
                               PublishCallback done)
{
    Target target;
    if (!principal.userId.isEmpty())
        target.users.append(principal.userId);
    else if (!principal.sessionId.isEmpty())
        target.sessions.append(principal.sessionId);
    pushTargeted(target, name, data, std::move(done));
}

void Hub::refuse(PublishError error, QString message, const PublishCallback &done)
{
    ++m_stats.eventsRejected;
    if (error == PublishError::TooLarge)
        ++m_stats.eventsTooLarge;
    if (done)
        done(PublishResult{{}, 0, error, std::move(message)});
}

Hub::PublishResult Hub::check(const Event &draft) const
{
    if (QString error = Event::nameError(draft.name); !error.isEmpty())
        return PublishResult{{}, 0, PublishError::InvalidName, std::move(error)};
    if (draft.data.contains('\0'))
        return PublishResult{{}, 0, PublishError::InvalidData, QStringLiteral("data must not contain NUL")};
    if (draft.data.size() > m_options.maxEventBytes)
        return PublishResult{{}, 0, PublishError::TooLarge,
                             QStringLiteral("event data is %1 bytes; the limit is %2")
                                 .arg(draft.data.size()).arg(m_options.maxEventBytes)};
    return {};
}

void Hub::publish(Event draft, PublishCallback done)
{
    if (PublishResult refused = check(draft); refused.error != PublishError::None)
        return refuse(refused.error, std::move(refused.message), done);
    publishChecked(std::move(draft), std::move(done));
}

void Hub::publishChecked(Event draft, PublishCallback done)
{
    m_bus->publish(std::move(draft), [this, done = std::move(done)](const EventBus::Published &published) {
        if (!published.ok()) {
            ++m_stats.eventsUnavailable;
            if (done)
                done(PublishResult{{}, 0, PublishError::Unavailable, published.error});
            return;
        }
        // The bus emits committed() before the answer (unless a cluster's answer came first):
        // the fan-out has delivered it, and its ledger says to how many streams.
        const int delivered = m_fanout.ledger().recipients(published.event.id).value_or(0);
        if (done)
            done(PublishResult{published.event.id, delivered, PublishError::None, {}});
    });
}

int Hub::pause(int delayMs, const Target &target, const QStringList &exceptGroups)
{
    EventBus::Command command;
    command.kind = EventBus::Command::Kind::Pause;
    command.delayMs = delayMs;
    command.target = target;
    command.exceptGroups = exceptGroups;
    m_bus->sendCommand(command);
    return m_fanout.pause(delayMs, target, exceptGroups);
}

int Hub::closeSession(const QString &sessionId)
{
    EventBus::Command command;
    command.kind = EventBus::Command::Kind::CloseSession;
    command.sessionId = sessionId;
    m_bus->sendCommand(command);
    return m_fanout.closeSession(sessionId);
}

Hub::KickResult Hub::kick(quint64 connectionId)
{
    if (m_fanout.kick(connectionId))
        return KickResult::Closed;
    const quint64 node = connectionId >> Fanout::nodeShift;
    if (node == 0 || node == m_fanout.nodeNumber())
        return KickResult::Unknown;
    EventBus::Command command;
    command.kind = EventBus::Command::Kind::Kick;
    command.connectionId = connectionId;
    m_bus->sendCommand(command);
    return KickResult::Sent;
}

void Hub::shutdown()
{
    m_bus->flush();
    m_fanout.shutdown();
}
