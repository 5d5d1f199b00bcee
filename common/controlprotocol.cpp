#include "controlprotocol.h"

#include <QJsonArray>
#include <QJsonDocument>

QByteArray ControlProtocol::encode(const QJsonObject &message)
{
    return QJsonDocument(message).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> ControlProtocol::decode(QByteArrayView text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("message is not valid JSON: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("message must be a JSON object");
        return std::nullopt;
    }
    if (!document.object().value(QStringLiteral("type")).isString()) {
        *error = QStringLiteral("message needs a string \"type\"");
        return std::nullopt;
    }
    return document.object();
}

QJsonObject ControlProtocol::result(const QJsonValue &id, const QJsonObject &result)
{
    return {{QStringLiteral("type"), QStringLiteral("result")},
            {QStringLiteral("id"), id},
            {QStringLiteral("result"), result}};
}

QJsonObject ControlProtocol::error(const QJsonValue &id, const QString &message)
{
    return {{QStringLiteral("type"), QStringLiteral("error")},
            {QStringLiteral("id"), id},
            {QStringLiteral("message"), message}};
}
