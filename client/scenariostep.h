#pragma once

#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

class QIODevice;

// One step of a scenario file (eventsource-cli scenario, the console's Scenario tab): one
// JSON object per line, {"step": kind, ...}; blank lines and lines starting with # are
// left out. Kinds and their fields (docs in README, "Scenarios"):
//   open     client|clients, filter?, lastEventId?, resume?, token?, reconnect?
//   close    client|clients
//   publish  event?, data|dataSize, json?, target?, repeat?, as?
//   wait     ms
//   pause    delay, target?, exceptGroups?
//   fault    fault {...}, client?
//   reset
//   expect   client|clients, what: events|count|no-event|gap|closed|refused|reconnected, ...
// Everything is checked when the file is read, so a typo fails before anything runs.
struct ScenarioStep final
{
    enum class Kind { Open, Close, Publish, Wait, Pause, Fault, Reset, Expect };

    static constexpr int maxSteps = 10000;
    static constexpr int maxWaitMs = 10 * 60 * 1000;
    static constexpr int maxRepeat = 100000;

    int line = 0;
    Kind kind = Kind::Wait;
    QJsonObject spec;
    QStringList clients; // open, close, expect, and a fault on a test client's stream

    // "expect events a (line 7)".
    QString describe() const;
    static std::optional<QList<ScenarioStep>> readAll(QIODevice *device, QString *error);
};
