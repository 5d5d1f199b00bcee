#include "fuzztargets.h"

#include "fuzzcheck.h"
#include "pauserequest.h"

#include <QJsonArray>

bool FuzzTargets::pauseRequest(const uint8_t *data, size_t size)
{
    const std::optional<QJsonObject> body = jsonObject(data, size);
    if (!body)
        return false;
    QString error;
    const std::optional<PauseRequest> request = PauseRequest::fromJson(*body, &error);
    check(request.has_value() == error.isEmpty(), "request and an error together, or neither");
    if (!request)
        return false;
    check(request->delayMs >= 0 && request->delayMs <= PauseRequest::maxDelayMs, "delay out of bounds");
    for (const QString &group : request->exceptGroups)
        check(!group.isEmpty(), "empty group in exceptGroups");

    QJsonObject again{{QStringLiteral("delay"), request->delayMs},
                      {QStringLiteral("exceptGroups"), QJsonArray::fromStringList(request->exceptGroups)}};
    if (!request->target.isBroadcast())
        again.insert(QStringLiteral("target"), request->target.toJson());
    const std::optional<PauseRequest> back = PauseRequest::fromJson(again, &error);
    check(back && back->delayMs == request->delayMs && back->target == request->target
              && back->exceptGroups == request->exceptGroups,
          "request changed through its JSON form");
    return true;
}
