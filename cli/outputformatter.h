#pragma once

#include "ssemessage.h"

#include <QJsonObject>
#include <QString>

// The text eventsource-cli prints for each answer of the admin API and each event heard,
// every result ending with a newline. Pure functions of the JSON the server sent.
class OutputFormatter final
{
public:
    // id=<id> delivered=<n>
    static QString pushResult(const QJsonObject &answer);
    // paused=<n> delay=<ms>
    static QString pauseResult(const QJsonObject &answer);
    // closed=<id>
    static QString kickResult(const QJsonObject &answer);
    // The aligned table: ID USER GROUPS SESSION REMOTE FILTER EVENTS SINCE.
    static QString connectionsTable(const QJsonObject &answer);
    static QString nodesTable(const QJsonObject &answer);
    // The aligned table: ID TYPE SCOPE PARAMETERS PENDING EXPIRES.
    static QString faultsTable(const QJsonObject &answer);
    // Aligned "key: value" lines; nested objects as "outer.inner".
    static QString statsLines(const QJsonObject &answer);
    // id=<lastEventId> event=<type> data=<data with each newline shown as \n>
    static QString eventLine(const SseMessage &message);
    // {"data":...,"event":...,"id":...} on one line.
    static QString eventJsonLine(const SseMessage &message);
};
