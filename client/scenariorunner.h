#pragma once

#include "eventsourceclient.h"
#include "scenariostep.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QObject>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <map>
#include <memory>

// Runs a scenario's steps in order against a hub: publishes, pauses, faults and resets go
// through a request function (the control channel: the CLI's or the console's client),
// test clients are EventSourceClients on the hub's stream URL, each named in the file and
// known to the hub by its User-Agent. An expectation waits (up to its "within") for what it
// expects among what its clients received since their last expectation, and fails at once
// on what contradicts it. The first failing step ends the run; the others are not run.
class ScenarioRunner final : public QObject
{
    Q_OBJECT

public:
    using Answer = std::function<void(const QJsonObject &result, const QString &error)>;
    using Request = std::function<void(const QString &type, const QJsonObject &fields, Answer done)>;

    struct Options
    {
        QUrl streamUrl; // the hub's stream endpoint, e.g. http://127.0.0.1:8080/eventsource
        QSslConfiguration tls;
    };
    static constexpr int defaultWithinMs = 3000;
    static constexpr int defaultQuietMs = 500; // expect no-event without "for"
    static constexpr int openTimeoutMs = 5000;

    ScenarioRunner(QList<ScenarioStep> steps, Options options, Request request, QObject *parent = nullptr);
    ~ScenarioRunner() override;

    const QList<ScenarioStep> &steps() const { return m_steps; }
    void start();
    // Stops where it is and closes every test client.
    void stop();

Q_SIGNALS:
    void stepStarted(int index);
    void stepFinished(int index, bool passed, const QString &detail);
    void finished(bool passed);

private:
    struct TestClient
    {
        std::unique_ptr<EventSourceClient> stream;
        QByteArray userAgent;
        QList<SseMessage> unread;
        int endings = 0;     // times the stream ended or failed
        int endingsSeen = 0; // of those, the ones an expect closed has used
        int status = 0;      // the last status that failed the connection
    };
    enum class Verdict { Pending, Pass, Fail };
    using Check = std::function<Verdict(TestClient &client, QString *detail)>;

    void runNext();
    void succeed(const QString &detail = {});
    void failStep(const QString &detail);
    void call(const QString &type, const QJsonObject &fields, const std::function<void(const QJsonObject &)> &then);

    void open(const ScenarioStep &step);
    void publish(const ScenarioStep &step);
    void publishRepeated(QJsonObject body, int remaining, const QString &as);
    void fault(const ScenarioStep &step);
    void expect(const ScenarioStep &step);
    Check checkFor(const ScenarioStep &step) const;
    // Evaluates the step waiting on its clients; timedOut at its deadline.
    void evaluate(bool timedOut = false);
    TestClient &client(const QString &name);

    QList<ScenarioStep> m_steps;
    Options m_options;
    Request m_request;
    QByteArray m_runId;
    std::map<QString, std::unique_ptr<TestClient>> m_clients;
    QHash<QString, QString> m_ids; // publish "as" names (and $last) -> event id
    int m_index = -1;
    bool m_running = false;
    // The step waiting on its clients (open, expect), and when it gives up.
    Check m_check;
    QSet<QString> m_passed; // clients the waiting step has passed for
    bool m_passesAtDeadline = false;
    QTimer m_deadline;
    QTimer m_wait;
};
