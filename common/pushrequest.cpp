#include "pushrequest.h"

namespace {

PushRequest failure(const QString &message)
{
    return PushRequest{std::nullopt, message, false};
}

} // namespace

PushRequest PushRequest::fromJson(const QJsonObject &body)
{
    static const QStringList known{QStringLiteral("event"), QStringLiteral("data"),
                                   QStringLiteral("json"), QStringLiteral("target"),
                                   QStringLiteral("dryRun")};
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!known.contains(it.key()))
            return failure(QStringLiteral("unknown field '%1'").arg(it.key()));
    }
    Event draft;
    const QJsonValue name = body.value(QStringLiteral("event"));
    if (!name.isUndefined() && !name.isNull()) {
        if (!name.isString())
            return failure(QStringLiteral("event must be a string"));
        draft.name = name.toString().toUtf8();
        if (const QString error = Event::nameError(draft.name); !error.isEmpty())
            return failure(error);
    }
    const QJsonValue dryRun = body.value(QStringLiteral("dryRun"));
    if (!dryRun.isUndefined() && !dryRun.isBool())
        return failure(QStringLiteral("dryRun must be true or false"));
    const QJsonValue json = body.value(QStringLiteral("json"));
    if (!json.isUndefined() && !json.isBool())
        return failure(QStringLiteral("json must be true or false"));
    if (!body.contains(QStringLiteral("data")))
        return failure(QStringLiteral("data is required"));
    const QJsonValue data = body.value(QStringLiteral("data"));
    draft.data = data.isString() && !json.toBool() ? data.toString().toUtf8() : Event::encodeJson(data);
    if (draft.data.contains('\0'))
        return failure(QStringLiteral("data must not contain NUL (send it with \"json\": true)"));
    QString targetError;
    const std::optional<Target> target = Target::fromJson(body.value(QStringLiteral("target")), &targetError);
    if (!target)
        return failure(targetError);
    draft.target = *target;
    return PushRequest{draft, {}, dryRun.toBool()};
}

QJsonObject PushRequest::preview(const QString &event, const QJsonObject &target)
{
    QJsonObject preview = body(event, QString(), false, target);
    preview.insert(QStringLiteral("dryRun"), true);
    return preview;
}

QJsonObject PushRequest::body(const QString &event, const QJsonValue &data, bool dataIsJson, const QJsonObject &target)
{
    QJsonObject body{{QStringLiteral("data"), data}};
    if (data.isString() && dataIsJson)
        body.insert(QStringLiteral("json"), true);
    if (!event.isEmpty())
        body.insert(QStringLiteral("event"), event);
    if (!target.isEmpty())
        body.insert(QStringLiteral("target"), target);
    return body;
}
