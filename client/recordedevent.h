#pragma once

#include <QList>
#include <QString>

#include <optional>

class QIODevice;

// One event of a recording (eventsource-cli record / play): one JSON object per line,
// {"at": ms since the recording started, "id", "event" (null for a plain message), "data"}.
struct RecordedEvent final
{
    static constexpr qsizetype maxEvents = 1000000;

    qint64 atMs = 0;
    QString id;
    QString event; // empty: a plain message
    QString data;

    // The line, with its newline.
    QByteArray toLine() const;
    // Every line of a recording, in order; nothing and "line N: why" at the first bad one
    // (not an object, "at" missing, negative or going back in time, "data" not a string...).
    static std::optional<QList<RecordedEvent>> readAll(QIODevice *device, QString *error);
};
