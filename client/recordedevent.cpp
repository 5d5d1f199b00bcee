#include "recordedevent.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>

QByteArray RecordedEvent::toLine() const
{
    const QJsonObject object{{QStringLiteral("at"), atMs},
                             {QStringLiteral("id"), id},
                             {QStringLiteral("event"), event.isEmpty() ? QJsonValue() : QJsonValue(event)},
                             {QStringLiteral("data"), data}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

std::optional<QList<RecordedEvent>> RecordedEvent::readAll(QIODevice *device, QString *error)
{
    QList<RecordedEvent> events;
    qint64 lineNumber = 0;
    const auto fail = [&](const QString &why) {
        *error = QStringLiteral("line %1: %2").arg(lineNumber).arg(why);
        return std::nullopt;
    };
    while (!device->atEnd()) {
        const QByteArray line = device->readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        if (events.size() >= maxEvents)
            return fail(QStringLiteral("more than %1 events").arg(maxEvents));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            return fail(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                     : QStringLiteral("not a JSON object"));
        const QJsonObject object = document.object();
        const QJsonValue at = object.value(QStringLiteral("at"));
        if (!at.isDouble() || at.toDouble() < 0 || at.toDouble() != double(at.toInteger()))
            return fail(QStringLiteral("\"at\" must be a whole number of milliseconds"));
        if (!events.isEmpty() && at.toInteger() < events.last().atMs)
            return fail(QStringLiteral("\"at\" goes back in time"));
        const QJsonValue event = object.value(QStringLiteral("event"));
        if (!event.isUndefined() && !event.isNull() && !event.isString())
            return fail(QStringLiteral("\"event\" must be a string or null"));
        const QJsonValue data = object.value(QStringLiteral("data"));
        if (!data.isString())
            return fail(QStringLiteral("\"data\" must be a string"));
        events.append({at.toInteger(), object.value(QStringLiteral("id")).toString(), event.toString(), data.toString()});
    }
    return events;
}
