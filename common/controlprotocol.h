#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

#include <optional>

// The control channel's JSON text messages (docs/control-protocol.md). Every message has a
// "type"; requests carry an "id" that replies echo.
struct ControlProtocol final
{
    static constexpr int version = 1;
    static constexpr char path[] = "/control";

    // Topics a console can subscribe to.
    static constexpr char topicConnections[] = "connections";
    static constexpr char topicEvents[] = "events";
    static constexpr char topicStats[] = "stats";

    static QByteArray encode(const QJsonObject &message);
    // A request or message as an object with a string "type"; otherwise an error text.
    static std::optional<QJsonObject> decode(QByteArrayView text, QString *error);

    static QJsonObject result(const QJsonValue &id, const QJsonObject &result);
    static QJsonObject error(const QJsonValue &id, const QString &message);
};
