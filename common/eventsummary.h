#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

struct Event;

// One published event as the admin API's history and the control channel's events.batch
// list it: its data cut to the first maxData bytes (a console shows it, it does not need
// 64 KiB of it), with the whole size beside it.
struct EventSummary final
{
    static constexpr qsizetype maxData = 1024;

    QString id;
    QString name;       // empty: a plain message
    QString data;       // at most maxData bytes of it
    qint64 size = 0;    // of the whole data, in bytes
    QJsonObject target; // empty: everyone
    QDateTime time;
    qint64 delivered = -1; // -1: not told (history)

    static EventSummary of(const Event &event, qint64 delivered = -1);
    QJsonObject toJson() const;
    static EventSummary fromJson(const QJsonObject &object);
};
