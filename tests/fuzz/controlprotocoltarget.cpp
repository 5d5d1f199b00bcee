#include "fuzztargets.h"

#include "connectionrecord.h"
#include "controlprotocol.h"
#include "fuzzcheck.h"
#include "target.h"

#include <QJsonArray>

namespace {

// The records of a snapshot or batch, read as the console reads them (console/net/controlclient.cpp).
void checkRecords(const QJsonValue &entries)
{
    for (const QJsonValue &entry : entries.toArray()) {
        const std::optional<ConnectionRecord> record = ConnectionRecord::fromJson(entry.toObject());
        if (!record)
            continue;
        FuzzTargets::check(!record->id.isEmpty(), "connection record without an id");
        const std::optional<ConnectionRecord> back = ConnectionRecord::fromJson(record->toJson());
        FuzzTargets::check(back && *back == *record, "connection record changed through toJson and fromJson");
    }
}

// The target of a push or pause, read as the server reads it (Target::fromJson via AdminOperations).
void checkTarget(const QJsonValue &value)
{
    QString error;
    const std::optional<Target> target = Target::fromJson(value, &error);
    FuzzTargets::check(target.has_value() == error.isEmpty(), "target and an error together, or neither");
    if (!target)
        return;
    const QJsonValue again = target->isBroadcast() ? QJsonValue() : QJsonValue(target->toJson());
    const std::optional<Target> back = Target::fromJson(again, &error);
    FuzzTargets::check(back && *back == *target, "target changed through toJson and fromJson");
}

} // namespace

bool FuzzTargets::controlProtocol(const uint8_t *data, size_t size)
{
    QString error;
    const std::optional<QJsonObject> message =
        ControlProtocol::decode(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)), &error);
    check(message.has_value() == error.isEmpty(), "message and an error together, or neither");
    if (!message)
        return false;
    check(message->value(QLatin1String("type")).isString(), "decoded message without a string type");
    const std::optional<QJsonObject> back = ControlProtocol::decode(ControlProtocol::encode(*message), &error);
    check(back && *back == *message, "message changed through encode and decode");

    checkRecords(message->value(QLatin1String("connections")));
    checkRecords(message->value(QLatin1String("opened")));
    checkTarget(message->value(QLatin1String("target")));
    return true;
}
