#include "event.h"

#include "sseencoder.h"

#include <QJsonArray>
#include <QJsonDocument>

QString Event::nameError(QByteArrayView name)
{
    if (name.size() > maxNameBytes)
        return QStringLiteral("event name is longer than %1 bytes").arg(maxNameBytes);
    if (!SseEncoder::isSingleLine(name))
        return QStringLiteral("event name must not contain CR, LF or NUL");
    if (name.contains(','))
        return QStringLiteral("event name must not contain a comma (it separates URL filters)");
    return {};
}

QByteArray Event::encodeJson(const QJsonValue &value)
{
    // QJsonDocument takes only objects and arrays; wrap to encode any value, then unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}
