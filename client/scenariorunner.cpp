#include "scenariorunner.h"

#include "pushrequest.h"

#include <QJsonArray>
#include <QPointer>
#include <QRandomGenerator>

namespace {

QString shown(const SseMessage &message)
{
    return QStringLiteral("%1 '%2' (id %3)").arg(message.type, message.data.left(80), message.lastEventId);
}

} // namespace

ScenarioRunner::ScenarioRunner(QList<ScenarioStep> steps, Options options, Request request, QObject *parent)
    : QObject(parent)
    , m_steps(std::move(steps))
    , m_options(std::move(options))
    , m_request(std::move(request))
    , m_runId(QByteArray::number(QRandomGenerator::global()->generate64(), 36))
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] { evaluate(true); });
    m_wait.setSingleShot(true);
    connect(&m_wait, &QTimer::timeout, this, [this] { succeed(); });
}

ScenarioRunner::~ScenarioRunner() = default;

void ScenarioRunner::start()
{
    m_running = true;
    m_index = -1;
    runNext();
}

void ScenarioRunner::stop()
{
    m_running = false;
    m_check = {};
    m_deadline.stop();
    m_wait.stop();
    for (auto &[name, client] : m_clients)
        client->stream->close();
}

ScenarioRunner::TestClient &ScenarioRunner::client(const QString &name)
{
    std::unique_ptr<TestClient> &slot = m_clients[name];
    if (slot)
        return *slot;
    slot = std::make_unique<TestClient>();
    TestClient *raw = slot.get();
    raw->stream = std::make_unique<EventSourceClient>();
    raw->userAgent = "eventsource-scenario/" + m_runId + '/' + name.toUtf8();
    EventSourceClient *stream = raw->stream.get();
    connect(stream, &EventSourceClient::eventReceived, this, [this, raw](const SseMessage &message) {
        raw->unread.append(message);
        evaluate();
    });
    connect(stream, &EventSourceClient::reconnectScheduled, this, [this, raw] {
        ++raw->endings;
        evaluate();
    });
    connect(stream, &EventSourceClient::statusReceived, this, [raw](int status) { raw->status = status; });
    connect(stream, &EventSourceClient::stateChanged, this, [this, raw](EventSourceClient::State state) {
        if (state == EventSourceClient::State::Closed || state == EventSourceClient::State::Failed)
            ++raw->endings;
        evaluate();
    });
    return *raw;
}

void ScenarioRunner::runNext()
{
    if (!m_running)
        return;
    if (++m_index >= m_steps.size()) {
        stop();
        Q_EMIT finished(true);
        return;
    }
    const ScenarioStep &step = m_steps.at(m_index);
    m_passed.clear();
    Q_EMIT stepStarted(m_index);
    const QJsonObject &spec = step.spec;
    switch (step.kind) {
    case ScenarioStep::Kind::Open:
        return open(step);
    case ScenarioStep::Kind::Close:
        for (const QString &name : step.clients)
            client(name).stream->close();
        return succeed();
    case ScenarioStep::Kind::Publish:
        return publish(step);
    case ScenarioStep::Kind::Wait:
        return m_wait.start(spec.value(QStringLiteral("ms")).toInt());
    case ScenarioStep::Kind::Pause: {
        QJsonObject fields = spec;
        fields.remove(QStringLiteral("step"));
        return call(QStringLiteral("pause"), fields, [this](const QJsonObject &result) {
            succeed(QStringLiteral("%1 streams paused").arg(result.value(QStringLiteral("paused")).toInt()));
        });
    }
    case ScenarioStep::Kind::Fault:
        return fault(step);
    case ScenarioStep::Kind::Reset:
        return call(QStringLiteral("reset"), {}, [this](const QJsonObject &result) {
            succeed(QStringLiteral("%1 streams closed").arg(result.value(QStringLiteral("connectionsClosed")).toInt()));
        });
    case ScenarioStep::Kind::Expect:
        return expect(step);
    }
}

void ScenarioRunner::succeed(const QString &detail)
{
    if (!m_running)
        return;
    m_check = {};
    m_deadline.stop();
    Q_EMIT stepFinished(m_index, true, detail);
    // Queued: a step that passes at once must not recurse through the whole file.
    QMetaObject::invokeMethod(this, &ScenarioRunner::runNext, Qt::QueuedConnection);
}

void ScenarioRunner::failStep(const QString &detail)
{
    if (!m_running)
        return;
    const int index = m_index;
    stop();
    Q_EMIT stepFinished(index, false, detail);
    Q_EMIT finished(false);
}

void ScenarioRunner::call(const QString &type, const QJsonObject &fields,
                          const std::function<void(const QJsonObject &)> &then)
{
    const int index = m_index;
    m_request(type, fields, [this, alive = QPointer<ScenarioRunner>(this), index, then](const QJsonObject &result,
                                                                                       const QString &error) {
        if (!alive || !m_running || index != m_index)
            return;
        if (!error.isEmpty())
            return failStep(error);
        then(result);
    });
}

void ScenarioRunner::open(const ScenarioStep &step)
{
    const QJsonObject &spec = step.spec;
    QUrl url = m_options.streamUrl;
    const QJsonArray filter = spec.value(QStringLiteral("filter")).toArray();
    if (!filter.isEmpty()) {
        QStringList names;
        for (const QJsonValue &name : filter)
            names.append(name.toString());
        url.setPath(url.path() + u'/' + names.join(u','));
    }
    for (const QString &name : step.clients) {
        TestClient &test = client(name);
        EventSourceClient::Options options;
        options.userAgent = test.userAgent;
        options.tls = m_options.tls;
        options.token = spec.value(QStringLiteral("token")).toString();
        options.reconnect = spec.value(QStringLiteral("reconnect")).toBool(true);
        // resume: where this client's previous stream stood, as a browser that reconnects.
        options.lastEventId = spec.value(QStringLiteral("resume")).toBool() ? test.stream->lastEventId()
                                                                            : spec.value(QStringLiteral("lastEventId")).toString();
        test.unread.clear();
        test.status = 0;
        test.stream->open(url, options);
        test.endingsSeen = test.endings;
    }
    m_passesAtDeadline = false;
    m_check = [](TestClient &test, QString *detail) {
        switch (test.stream->state()) {
        case EventSourceClient::State::Open:
            return Verdict::Pass;
        case EventSourceClient::State::Failed:
        case EventSourceClient::State::Closed:
            // A refusal is for an expect refused to judge.
            *detail = QStringLiteral("refused: %1").arg(test.stream->stateDetail());
            return Verdict::Pass;
        default:
            *detail = QStringLiteral("not connected within %1 ms: %2").arg(openTimeoutMs).arg(test.stream->stateDetail());
            return Verdict::Pending;
        }
    };
    m_deadline.start(openTimeoutMs);
    evaluate();
}

void ScenarioRunner::publish(const ScenarioStep &step)
{
    QJsonObject body = step.spec;
    for (const char *field : {"step", "repeat", "as", "dataSize"})
        body.remove(QLatin1String(field));
    if (step.spec.contains(QStringLiteral("dataSize")))
        body.insert(QStringLiteral("data"), QString(step.spec.value(QStringLiteral("dataSize")).toInt(), u'x'));
    publishRepeated(body, step.spec.value(QStringLiteral("repeat")).toInt(1), step.spec.value(QStringLiteral("as")).toString());
}

void ScenarioRunner::publishRepeated(QJsonObject body, int remaining, const QString &as)
{
    call(QStringLiteral("push"), body, [this, body, remaining, as](const QJsonObject &result) {
        const QString id = result.value(QStringLiteral("id")).toString();
        m_ids.insert(QStringLiteral("$last"), id);
        if (remaining > 1)
            return publishRepeated(body, remaining - 1, as);
        if (!as.isEmpty())
            m_ids.insert(u'$' + as, id);
        succeed(QStringLiteral("%1, delivered to %2").arg(id).arg(result.value(QStringLiteral("delivered")).toInt()));
    });
}

void ScenarioRunner::fault(const ScenarioStep &step)
{
    QJsonObject fault = step.spec.value(QStringLiteral("fault")).toObject();
    const auto add = [this](const QJsonObject &fault) {
        call(QStringLiteral("fault.add"), {{QStringLiteral("fault"), fault}}, [this](const QJsonObject &result) {
            succeed(QStringLiteral("%1 on %2 streams")
                        .arg(result.value(QStringLiteral("id")).toString())
                        .arg(result.value(QStringLiteral("affected")).toInt()));
        });
    };
    if (step.clients.isEmpty())
        return add(fault);
    // The test client's stream, found by the User-Agent it was opened with.
    const QString agent = QString::fromUtf8(client(step.clients.first()).userAgent);
    call(QStringLiteral("connections"), {}, [this, fault, agent, add](const QJsonObject &result) mutable {
        for (const QJsonValue &record : result.value(QStringLiteral("connections")).toArray()) {
            if (record[QStringLiteral("userAgent")].toString() == agent) {
                fault.insert(QStringLiteral("connection"), record[QStringLiteral("id")].toString());
                return add(fault);
            }
        }
        failStep(QStringLiteral("the hub has no stream of this client open"));
    });
}

ScenarioRunner::Check ScenarioRunner::checkFor(const ScenarioStep &step) const
{
    const QJsonObject &spec = step.spec;
    const QString what = spec.value(QStringLiteral("what")).toString();
    if (what == QLatin1String("events")) {
        QList<SseMessage> expected;
        QList<bool> checksId;
        QList<bool> checksData;
        for (const QJsonValue &value : spec.value(QStringLiteral("events")).toArray()) {
            const QJsonObject event = value.toObject();
            QString id = event.value(QStringLiteral("id")).toString();
            if (id.startsWith(u'$'))
                id = m_ids.value(id, id);
            expected.append({event.value(QStringLiteral("event")).toString(QStringLiteral("message")),
                             event.value(QStringLiteral("data")).toString(), id});
            checksId.append(event.contains(QStringLiteral("id")));
            checksData.append(event.contains(QStringLiteral("data")));
        }
        return [expected, checksId, checksData](TestClient &test, QString *detail) {
            for (qsizetype i = 0; i < qMin(expected.size(), test.unread.size()); ++i) {
                const SseMessage &got = test.unread.at(i);
                const SseMessage &want = expected.at(i);
                if (got.type != want.type || (checksData.at(i) && got.data != want.data)
                    || (checksId.at(i) && got.lastEventId != want.lastEventId)) {
                    *detail = QStringLiteral("event %1: expected %2, got %3").arg(i + 1).arg(shown(want), shown(got));
                    return Verdict::Fail;
                }
            }
            if (test.unread.size() < expected.size()) {
                *detail = QStringLiteral("%1 of %2 events arrived").arg(test.unread.size()).arg(expected.size());
                return Verdict::Pending;
            }
            test.unread.remove(0, expected.size());
            return Verdict::Pass;
        };
    }
    if (what == QLatin1String("count")) {
        const int count = spec.value(QStringLiteral("count")).toInt();
        return [count](TestClient &test, QString *detail) {
            if (test.unread.size() < count) {
                *detail = QStringLiteral("%1 of %2 events arrived").arg(test.unread.size()).arg(count);
                return Verdict::Pending;
            }
            test.unread.remove(0, count);
            return Verdict::Pass;
        };
    }
    if (what == QLatin1String("no-event")) {
        return [](TestClient &test, QString *detail) {
            if (test.unread.isEmpty())
                return Verdict::Pending;
            *detail = QStringLiteral("received %1").arg(shown(test.unread.first()));
            return Verdict::Fail;
        };
    }
    if (what == QLatin1String("gap")) {
        const QString reason = spec.value(QStringLiteral("reason")).toString();
        return [reason](TestClient &test, QString *detail) {
            if (test.unread.isEmpty()) {
                *detail = QStringLiteral("no event arrived");
                return Verdict::Pending;
            }
            const SseMessage first = test.unread.takeFirst();
            if (first.type != QLatin1String("eventsource-gap")
                || (!reason.isEmpty() && !first.data.contains(QStringLiteral("\"%1\"").arg(reason)))) {
                *detail = QStringLiteral("expected an eventsource-gap%1, got %2")
                              .arg(reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason), shown(first));
                return Verdict::Fail;
            }
            return Verdict::Pass;
        };
    }
    if (what == QLatin1String("closed")) {
        return [](TestClient &test, QString *detail) {
            if (test.endings > test.endingsSeen) {
                test.endingsSeen = test.endings;
                return Verdict::Pass;
            }
            *detail = QStringLiteral("the stream is still open");
            return Verdict::Pending;
        };
    }
    if (what == QLatin1String("refused")) {
        const int status = spec.value(QStringLiteral("status")).toInt();
        return [status](TestClient &test, QString *detail) {
            if (test.status == status) {
                test.status = 0;
                return Verdict::Pass;
            }
            if (test.status != 0) {
                *detail = QStringLiteral("refused with %1").arg(test.status);
                return Verdict::Fail;
            }
            *detail = QStringLiteral("not refused");
            return Verdict::Pending;
        };
    }
    const int connections = spec.value(QStringLiteral("connections")).toInt(2);
    return [connections](TestClient &test, QString *detail) {
        if (test.stream->connectionCount() >= connections && test.stream->state() == EventSourceClient::State::Open)
            return Verdict::Pass;
        *detail = QStringLiteral("%1 connection(s) made").arg(test.stream->connectionCount());
        return Verdict::Pending;
    };
}

void ScenarioRunner::expect(const ScenarioStep &step)
{
    const bool quiet = step.spec.value(QStringLiteral("what")).toString() == QLatin1String("no-event");
    m_passesAtDeadline = quiet;
    m_check = checkFor(step);
    m_deadline.start(quiet ? step.spec.value(QStringLiteral("for")).toInt(defaultQuietMs)
                           : step.spec.value(QStringLiteral("within")).toInt(defaultWithinMs));
    evaluate();
}

void ScenarioRunner::evaluate(bool timedOut)
{
    if (!m_running || !m_check || m_index < 0)
        return;
    const ScenarioStep &step = m_steps.at(m_index);
    QStringList pending;
    for (const QString &name : step.clients) {
        if (m_passed.contains(name))
            continue;
        QString detail;
        switch (m_check(client(name), &detail)) {
        case Verdict::Fail:
            return failStep(QStringLiteral("%1: %2").arg(name, detail));
        case Verdict::Pending:
            pending.append(QStringLiteral("%1: %2").arg(name, detail));
            break;
        case Verdict::Pass:
            // Not asked again: its check consumed what it matched.
            if (!m_passesAtDeadline)
                m_passed.insert(name);
            break;
        }
    }
    if (pending.isEmpty() && !m_passesAtDeadline)
        return succeed();
    if (!timedOut)
        return;
    if (m_passesAtDeadline)
        return succeed();
    failStep(pending.join(QStringLiteral("; ")));
}
