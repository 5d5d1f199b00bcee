#include "commandrunner.h"

#include "controlclient.h"
#include "eventplayer.h"
#include "eventsourceclient.h"
#include "faultrequest.h"
#include "jwt.h"
#include "outputformatter.h"
#include "passwordhash.h"
#include "pauserequest.h"
#include "pushrequest.h"
#include "scenariorunner.h"

#include <QDateTime>
#include <QFile>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

#include <unistd.h>

namespace {

using Command = CommandTable::Command;

// An error message on one line, whatever the server or the network put in it.
QString oneLine(QString text)
{
    text.replace(u'\r', u' ').replace(u'\n', u' ');
    return text;
}

QString shown(const QUrl &url)
{
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment).toDisplayString();
}

// Any JSON value (QJsonDocument takes only objects and arrays): parsed as one array item.
std::optional<QJsonValue> parseJsonValue(const QString &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("\n]"), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1 at offset %2").arg(parseError.errorString()).arg(parseError.offset - 1);
        return std::nullopt;
    }
    if (document.array().size() != 1) {
        *error = QStringLiteral("expected one JSON value, got %1").arg(document.array().size());
        return std::nullopt;
    }
    return document.array().first();
}

} // namespace

CommandRunner::CommandRunner(CliOptions options, QIODevice *input, QIODevice *output, QIODevice *errors,
                             QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_input(input)
    , m_output(output)
    , m_errors(errors)
{
}

void CommandRunner::start()
{
    switch (m_options.command()) {
    case Command::Push:
        return push();
    case Command::Pause:
        return pause();
    case Command::Connections:
        return connections();
    case Command::Nodes:
        return nodes();
    case Command::Kick:
        return kick();
    case Command::Stats:
        return stats();
    case Command::Fault:
        return fault();
    case Command::Listen:
        return listen();
    case Command::Record:
        return record();
    case Command::Play:
        return play();
    case Command::Scenario:
        return scenario();
    case Command::Token:
        return token();
    case Command::HashPassword:
        return hashPassword();
    }
}

AdminClient *CommandRunner::adminClient()
{
    if (!m_admin)
        m_admin = new AdminClient(m_options.adminUrl(), m_options.adminToken(), m_options.tls(), this);
    return m_admin;
}

QJsonObject CommandRunner::target() const
{
    QJsonObject target;
    const std::pair<const char *, const char *> lists[] = {
        {"session", "sessions"}, {"user", "users"}, {"group", "groups"}};
    for (const auto &[option, field] : lists) {
        const QStringList values = m_options.values(QString::fromLatin1(option));
        if (!values.isEmpty())
            target.insert(QString::fromLatin1(field), QJsonArray::fromStringList(values));
    }
    return target;
}

void CommandRunner::push()
{
    QString data;
    if (m_options.arguments().isEmpty() || m_options.arguments().first() == QLatin1String("-")) {
        QByteArray bytes = m_input ? m_input->readAll() : QByteArray();
        // What `echo` and editors add is not part of the message.
        if (bytes.endsWith("\r\n"))
            bytes.chop(2);
        else if (bytes.endsWith('\n'))
            bytes.chop(1);
        data = QString::fromUtf8(bytes);
    } else {
        data = m_options.arguments().first();
    }
    const bool json = m_options.isSet(QStringLiteral("json"));
    QJsonValue value = data;
    if (json) {
        QString error;
        const std::optional<QJsonValue> parsed = parseJsonValue(data, &error);
        if (!parsed)
            return fail(Exit::Usage, QStringLiteral("push: --json data is not valid JSON"), error);
        value = *parsed;
    }
    const QJsonObject body = PushRequest::body(m_options.value(QStringLiteral("event")), value, json, target());
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::pushResult);
    });
    adminClient()->post(QStringLiteral("/api/push"), body);
}

void CommandRunner::pause()
{
    const QJsonObject body = PauseRequest::body(m_options.arguments().first().toLongLong(), target(),
                                                m_options.values(QStringLiteral("except-group")));
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::pauseResult);
    });
    adminClient()->post(QStringLiteral("/api/pause"), body);
}

void CommandRunner::connections()
{
    QUrlQuery query;
    for (const QString &filter : {QStringLiteral("user"), QStringLiteral("group")}) {
        if (m_options.isSet(filter))
            query.addQueryItem(filter, QString::fromLatin1(QUrl::toPercentEncoding(m_options.value(filter))));
    }
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::connectionsTable);
    });
    adminClient()->get(QStringLiteral("/api/connections"), query);
}

void CommandRunner::nodes()
{
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::nodesTable);
    });
    adminClient()->get(QStringLiteral("/api/nodes"));
}

void CommandRunner::kick()
{
    const QString id = m_options.arguments().first();
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::kickResult);
    });
    adminClient()->deleteResource(QStringLiteral("/api/connections/")
                                  + QString::fromLatin1(QUrl::toPercentEncoding(id)));
}

void CommandRunner::stats()
{
    connect(adminClient(), &AdminClient::requestFinished, this, [this](const AdminClient::Reply &reply) {
        handleAdminReply(reply, OutputFormatter::statsLines);
    });
    adminClient()->get(QStringLiteral("/api/stats"));
}

void CommandRunner::fault()
{
    const QString action = m_options.arguments().first();
    const auto answered = [this](const std::function<QString(const QJsonObject &)> &format) {
        connect(adminClient(), &AdminClient::requestFinished, this,
                [this, format](const AdminClient::Reply &reply) { handleAdminReply(reply, format); });
    };
    if (action == QLatin1String("list")) {
        answered(OutputFormatter::faultsTable);
        return adminClient()->get(QStringLiteral("/api/faults"));
    }
    if (action == QLatin1String("remove")) {
        if (m_options.arguments().size() != 2)
            return fail(Exit::Usage, QStringLiteral("fault remove"), QStringLiteral("needs the fault id (see fault list)"));
        answered([](const QJsonObject &answer) {
            return QStringLiteral("removed=%1\n").arg(answer.value(QStringLiteral("removed")).toString());
        });
        return adminClient()->deleteResource(QStringLiteral("/api/faults/")
                                             + QString::fromLatin1(QUrl::toPercentEncoding(m_options.arguments()[1])));
    }
    if (m_options.arguments().size() != 1)
        return fail(Exit::Usage, QStringLiteral("fault"), QStringLiteral("unexpected argument '%1'").arg(m_options.arguments()[1]));
    // Checked here as the server would, so a mistake is a usage error that names the option.
    QJsonObject body{{QStringLiteral("type"), action}};
    if (m_options.isSet(QStringLiteral("connection")))
        body.insert(QStringLiteral("connection"), m_options.value(QStringLiteral("connection")));
    if (const QJsonObject targets = target(); !targets.isEmpty())
        body.insert(QStringLiteral("target"), targets);
    const std::pair<const char *, const char *> numbers[] = {{"duration-ms", "durationMs"}, {"status", "status"},
                                                             {"count", "count"}, {"retry-after", "retryAfterS"},
                                                             {"expires-in", "expiresInS"}};
    for (const auto &[option, field] : numbers) {
        if (m_options.isSet(QString::fromLatin1(option)))
            body.insert(QString::fromLatin1(field), m_options.number(QString::fromLatin1(option), 0));
    }
    QString error;
    const std::optional<FaultRequest> request = FaultRequest::fromJson(body, &error);
    if (!request)
        return fail(Exit::Usage, QStringLiteral("fault"), error);
    answered([](const QJsonObject &answer) {
        return QStringLiteral("id=%1 affected=%2\n")
            .arg(answer.value(QStringLiteral("id")).toString())
            .arg(answer.value(QStringLiteral("affected")).toInt());
    });
    adminClient()->post(QStringLiteral("/api/faults"), request->toJson());
}

void CommandRunner::handleAdminReply(const AdminClient::Reply &reply,
                                     const std::function<QString(const QJsonObject &)> &format)
{
    if (!reply.ok()) {
        const QString what = reply.status == 0
            ? QStringLiteral("cannot reach the server at %1").arg(shown(m_options.adminUrl()))
            : QStringLiteral("%1 failed").arg(m_options.commandName());
        return fail(Exit::Failure, what, reply.error);
    }
    if (m_options.jsonOutput()) {
        QString text = QString::fromUtf8(reply.body.trimmed());
        return succeed(text + u'\n');
    }
    succeed(format(reply.json));
}

void CommandRunner::listen()
{
    const bool json = m_options.jsonOutput();
    subscribe([this, json](const SseMessage &message) {
        writeOutput(json ? OutputFormatter::eventJsonLine(message) : OutputFormatter::eventLine(message));
        countReached();
    });
}

void CommandRunner::record()
{
    const QString out = m_options.value(QStringLiteral("out"));
    if (out == QLatin1String("-")) {
        m_recording = std::make_unique<QFile>();
        static_cast<QFile *>(m_recording.get())->open(STDOUT_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered);
    } else {
        auto file = std::make_unique<QFile>(out);
        // Unbuffered: each event is in the file once written, whatever ends the recording.
        if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
            return fail(Exit::Failure, QStringLiteral("record"),
                        QStringLiteral("cannot write %1: %2").arg(out, file->errorString()));
        m_recording = std::move(file);
    }
    m_clock.start();
    subscribe([this](const SseMessage &message) {
        const RecordedEvent event{m_clock.elapsed(), message.lastEventId,
                                  message.type == QLatin1String("message") ? QString() : message.type, message.data};
        if (m_recording->write(event.toLine()) < 0)
            return fail(Exit::Failure, QStringLiteral("record"), m_recording->errorString());
        countReached("recorded");
    });
}

void CommandRunner::play()
{
    const QString path = m_options.arguments().first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Exit::Failure, QStringLiteral("play"), QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QString error;
    std::optional<QList<RecordedEvent>> events = RecordedEvent::readAll(&file, &error);
    if (!events)
        return fail(Exit::Usage, QStringLiteral("play %1").arg(path), error);
    EventPlayer::Options options;
    options.speed = m_options.isSet(QStringLiteral("speed")) ? m_options.value(QStringLiteral("speed")).toDouble() : 1.0;
    options.loop = m_options.isSet(QStringLiteral("loop"));
    // The admin client answers one request at a time, and the player waits for each answer.
    auto answer = std::make_shared<EventPlayer::Answer>();
    connect(adminClient(), &AdminClient::requestFinished, this, [answer](const AdminClient::Reply &reply) {
        if (*answer)
            std::exchange(*answer, {})(reply.json, reply.error);
    });
    m_player = new EventPlayer(std::move(*events), options, [this, answer](const QJsonObject &body, EventPlayer::Answer done) {
        *answer = std::move(done);
        adminClient()->post(QStringLiteral("/api/push"), body);
    }, this);
    const bool json = m_options.jsonOutput();
    connect(m_player, &EventPlayer::published, this, [this, json](qsizetype, const QJsonObject &answer) {
        writeOutput(json ? QString::fromUtf8(QJsonDocument(answer).toJson(QJsonDocument::Compact)) + u'\n'
                         : OutputFormatter::pushResult(answer));
    });
    connect(m_player, &EventPlayer::failed, this, [this](qsizetype index, const QString &why) {
        fail(Exit::Failure, QStringLiteral("play: event %1").arg(index + 1), why);
    });
    connect(m_player, &EventPlayer::finished, this,
            [this](qsizetype count) { succeed(QStringLiteral("played=%1\n").arg(count)); });
    m_player->start();
}

void CommandRunner::scenario()
{
    const QString path = m_options.arguments().first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Exit::Failure, QStringLiteral("scenario"),
                    QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QString error;
    std::optional<QList<ScenarioStep>> steps = ScenarioStep::readAll(&file, &error);
    if (!steps)
        return fail(Exit::Usage, QStringLiteral("scenario %1").arg(path), error);
    m_control = new ControlClient(this);
    m_control->setTopics({});
    m_control->setTls(m_options.tls());
    connect(m_control, &ControlClient::stateChanged, this,
            [this, steps = std::move(*steps)](ControlClient::State state, const QString &detail) mutable {
        if (state == ControlClient::State::Connected && !m_scenario) {
            ScenarioRunner::Options options;
            options.streamUrl = m_options.isSet(QStringLiteral("stream-url"))
                ? QUrl(m_options.value(QStringLiteral("stream-url"))) : m_control->streamUrl();
            options.tls = m_options.tls();
            m_scenario = new ScenarioRunner(std::move(steps), options,
                                            [this](const QString &type, const QJsonObject &fields, ScenarioRunner::Answer done) {
                                                m_control->request(type, fields, std::move(done));
                                            }, this);
            connect(m_scenario, &ScenarioRunner::stepFinished, this, [this](int index, bool passed, const QString &why) {
                const ScenarioStep &step = m_scenario->steps().at(index);
                writeOutput(QStringLiteral("%1 %2 %3%4\n")
                                .arg(passed ? QStringLiteral("PASS") : QStringLiteral("FAIL"))
                                .arg(index + 1, 3)
                                .arg(step.describe(), why.isEmpty() ? QString() : QStringLiteral(": ") + oneLine(why)));
                if (passed)
                    return;
                for (int skipped = index + 1; skipped < m_scenario->steps().size(); ++skipped)
                    writeOutput(QStringLiteral("SKIP %1 %2\n").arg(skipped + 1, 3).arg(m_scenario->steps().at(skipped).describe()));
            });
            connect(m_scenario, &ScenarioRunner::finished, this, [this](bool passed) {
                m_control->disconnectFromServer();
                if (passed)
                    return succeed(QStringLiteral("scenario passed: %1 steps\n").arg(m_scenario->steps().size()));
                fail(Exit::Failure, QStringLiteral("scenario"), QStringLiteral("a step failed (see above)"));
            });
            m_scenario->start();
        } else if (state == ControlClient::State::AuthRefused) {
            fail(Exit::Failure, QStringLiteral("scenario"), QStringLiteral("the admin token was refused: ") + detail);
        } else if (state == ControlClient::State::Reconnecting) {
            fail(Exit::Failure, QStringLiteral("scenario"),
                 QStringLiteral("lost the control channel at %1: %2").arg(shown(m_options.adminUrl()), detail));
        }
    });
    m_control->connectToServer(m_options.adminUrl(), QString::fromUtf8(m_options.adminToken()));
}

void CommandRunner::countReached(const char *summary)
{
    if (++m_eventsReceived != m_options.number(QStringLiteral("count"), 0))
        return;
    if (summary)
        writeOutput(QStringLiteral("%1=%2\n").arg(QLatin1String(summary)).arg(m_eventsReceived));
    m_listener->disconnect(this);
    m_listener->close();
    finish(Exit::Success);
}

void CommandRunner::subscribe(const std::function<void(const SseMessage &)> &onEvent)
{
    const QUrl url(m_options.arguments().first());
    EventSourceClient::Options options;
    options.lastEventId = m_options.value(QStringLiteral("last-event-id"));
    options.token = m_options.value(QStringLiteral("token"));
    options.reconnect = m_options.isSet(QStringLiteral("reconnect"));
    options.tls = m_options.tls();
    const QString what = QStringLiteral("%1 %2").arg(m_options.commandName(), shown(url));

    m_listener = new EventSourceClient(this);
    connect(m_listener, &EventSourceClient::eventReceived, this, onEvent);
    connect(m_listener, &EventSourceClient::reconnectScheduled, this, [this, what](qint64 delayMs, const QString &reason) {
        if (m_errors)
            m_errors->write(QStringLiteral("eventsource-cli: %1: %2; reconnecting in %3 ms\n")
                                .arg(what, oneLine(reason)).arg(delayMs).toUtf8());
    });
    // A refusal says why in its body ({"error": ...}); the state change after it is the same.
    connect(m_listener, &EventSourceClient::statusReceived, this, [this, what](int status, const QByteArray &body) {
        QString message = QJsonDocument::fromJson(body).object().value(QStringLiteral("error")).toString();
        if (message.isEmpty())
            message = QString::fromUtf8(body.left(100)).simplified();
        m_listener->disconnect(this);
        fail(Exit::Failure, what, QStringLiteral("HTTP %1: %2").arg(status).arg(message));
    });
    connect(m_listener, &EventSourceClient::stateChanged, this,
            [this, what](EventSourceClient::State state, const QString &detail) {
        if (state == EventSourceClient::State::Failed)
            fail(Exit::Failure, what, detail);
        else if (state == EventSourceClient::State::Closed)
            fail(Exit::Failure, what, QStringLiteral("%1 after %2 event(s)").arg(detail).arg(m_eventsReceived));
    });
    m_listener->open(url, options);
}

void CommandRunner::token()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const qint64 ttl = m_options.number(QStringLiteral("ttl"), 3600);
    QJsonObject claims{{QStringLiteral("sub"), m_options.value(QStringLiteral("user"))},
                       {QStringLiteral("iat"), now}};
    if (m_options.isSet(QStringLiteral("name")))
        claims.insert(QStringLiteral("name"), m_options.value(QStringLiteral("name")));
    if (m_options.isSet(QStringLiteral("group")))
        claims.insert(QStringLiteral("groups"), QJsonArray::fromStringList(m_options.values(QStringLiteral("group"))));
    if (m_options.isSet(QStringLiteral("sid")))
        claims.insert(QStringLiteral("sid"), m_options.value(QStringLiteral("sid")));
    if (ttl > 0)
        claims.insert(QStringLiteral("exp"), now + ttl);
    const QByteArray signedToken = Jwt::sign(claims, m_options.jwtSecret());
    if (signedToken.isEmpty())
        return fail(Exit::Failure, QStringLiteral("token"), QStringLiteral("signing failed"));
    succeed(QString::fromLatin1(signedToken) + u'\n');
}

void CommandRunner::hashPassword()
{
    QByteArray line = m_input ? m_input->readLine() : QByteArray();
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty())
        return fail(Exit::Usage, QStringLiteral("hash-password"),
                    QStringLiteral("reads a non-empty password line on stdin"));
    const int iterations = int(m_options.number(QStringLiteral("iterations"), PasswordHash::defaultIterations));
    const QString hash = PasswordHash::create(QString::fromUtf8(line), iterations);
    if (hash.isEmpty())
        return fail(Exit::Usage, QStringLiteral("hash-password"), QStringLiteral("bad --iterations"));
    succeed(hash + u'\n');
}

void CommandRunner::writeOutput(const QString &text)
{
    // One write per line: with an unbuffered device each event reaches a pipe as it arrives.
    if (m_output)
        m_output->write(text.toUtf8());
}

void CommandRunner::succeed(const QString &text)
{
    writeOutput(text);
    finish(Exit::Success);
}

void CommandRunner::fail(Exit code, const QString &what, const QString &why)
{
    if (m_finished)
        return;
    if (m_errors)
        m_errors->write(QStringLiteral("eventsource-cli: %1: %2\n").arg(oneLine(what), oneLine(why)).toUtf8());
    finish(code);
}

void CommandRunner::finish(Exit code)
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(int(code));
}
