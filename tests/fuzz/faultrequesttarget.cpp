#include "fuzztargets.h"

#include "faultrequest.h"
#include "fuzzcheck.h"

bool FuzzTargets::faultRequest(const uint8_t *data, size_t size)
{
    const std::optional<QJsonObject> body = jsonObject(data, size);
    if (!body)
        return false;
    QString error;
    const std::optional<FaultRequest> request = FaultRequest::fromJson(*body, &error);
    check(request.has_value() == error.isEmpty(), "request and an error together, or neither");
    if (!request)
        return false;
    using Type = FaultRequest::Type;
    check(request->expiresInS >= 1 && request->expiresInS <= FaultRequest::maxExpiresInS, "expiresInS out of bounds");
    check(request->type != Type::Stall || (request->durationMs >= 1 && request->durationMs <= FaultRequest::maxDurationMs),
          "a stall without a bounded duration");
    check(request->type == Type::Stall || request->durationMs == 0, "a duration on another type");
    if (request->type == Type::Reject) {
        check(FaultRequest::isRejectStatus(request->status), "a reject status outside 204, 401, 429, 503");
        check(request->count >= 1 && request->count <= FaultRequest::maxCount, "count out of bounds");
        check(request->retryAfterS == 0 || request->status == 429 || request->status == 503,
              "Retry-After with a status that has none");
    } else {
        check(request->status == 0 && request->retryAfterS == 0, "reject parameters on another type");
    }
    check(request->connection.isEmpty() || request->target.isBroadcast(), "both a connection and a target");

    const std::optional<FaultRequest> back = FaultRequest::fromJson(request->toJson(), &error);
    check(back && back->type == request->type && back->connection == request->connection
              && back->target == request->target && back->durationMs == request->durationMs
              && back->status == request->status && back->count == request->count
              && back->retryAfterS == request->retryAfterS && back->expiresInS == request->expiresInS,
          "request changed through its JSON form");
    return true;
}
