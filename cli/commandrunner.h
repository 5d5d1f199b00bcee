#pragma once

#include "adminclient.h"
#include "clioptions.h"

#include <QElapsedTimer>
#include <QObject>

#include <functional>
#include <memory>

class QIODevice;
class ControlClient;
class EventPlayer;
class ScenarioRunner;
class EventSourceClient;
struct SseMessage;

// Runs one parsed eventsource-cli command and reports its exit code once, through finished.
// Results go to output, failures to errors as one line "eventsource-cli: <what>: <why>";
// neither ever shows the admin token or the JWT secret.
class CommandRunner final : public QObject
{
    Q_OBJECT

public:
    enum class Exit { Success = 0, Failure = 1, Usage = 2 };

    // The devices stay owned by the caller; output is written a whole line at a time.
    CommandRunner(CliOptions options, QIODevice *input, QIODevice *output, QIODevice *errors,
                  QObject *parent = nullptr);

    void start();

signals:
    void finished(int exitCode);

private:
    void push();
    void pause();
    void connections();
    void nodes();
    void kick();
    void stats();
    void fault();
    void listen();
    void record();
    void play();
    void scenario();
    // Opens the command's stream (URL, --last-event-id, --token, --reconnect) and hands each
    // event to onEvent; failures and the end of the stream finish the command.
    void subscribe(const std::function<void(const SseMessage &)> &onEvent);
    // Counts an event; after --count of them, if given, prints "<summary>=<count>" (when
    // summary is set) and finishes with success.
    void countReached(const char *summary = nullptr);
    void token();
    void hashPassword();

    AdminClient *adminClient();
    // Prints the answer (its JSON with --output json, else format(answer)) or the failure.
    void handleAdminReply(const AdminClient::Reply &reply,
                          const std::function<QString(const QJsonObject &)> &format);
    QJsonObject target() const;

    void writeOutput(const QString &text);
    void succeed(const QString &text);
    void fail(Exit code, const QString &what, const QString &why);
    void finish(Exit code);

    CliOptions m_options;
    QIODevice *m_input;
    QIODevice *m_output;
    QIODevice *m_errors;
    AdminClient *m_admin = nullptr;
    EventSourceClient *m_listener = nullptr;
    EventPlayer *m_player = nullptr;
    ControlClient *m_control = nullptr;
    ScenarioRunner *m_scenario = nullptr;
    std::unique_ptr<QIODevice> m_recording;
    qint64 m_eventsReceived = 0;
    QElapsedTimer m_clock; // record: since the recording started
    bool m_finished = false;
};
