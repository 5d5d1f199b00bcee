#include "scenariostep.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

namespace {

const char *const kinds[] = {"open", "close", "publish", "wait", "pause", "fault", "reset", "expect"};
const QStringList expectations{QStringLiteral("events"), QStringLiteral("count"), QStringLiteral("no-event"),
                               QStringLiteral("gap"), QStringLiteral("closed"), QStringLiteral("refused"),
                               QStringLiteral("reconnected")};

bool isWhole(const QJsonValue &value, qint64 low, qint64 high)
{
    return value.isDouble() && value.toDouble() == double(value.toInteger()) && value.toInteger() >= low
        && value.toInteger() <= high;
}

// Why the step is not valid, or an empty string.
QString check(ScenarioStep &step)
{
    using Kind = ScenarioStep::Kind;
    const QJsonObject &spec = step.spec;
    QStringList known{QStringLiteral("step")};
    const auto allow = [&known](std::initializer_list<const char *> names) {
        for (const char *name : names)
            known.append(QLatin1String(name));
    };
    const auto optionalWhole = [&spec](const char *name, qint64 low, qint64 high) {
        const QJsonValue value = spec.value(QLatin1String(name));
        return value.isUndefined() || isWhole(value, low, high);
    };
    const bool needsClients = step.kind == Kind::Open || step.kind == Kind::Close || step.kind == Kind::Expect;
    if (needsClients || step.kind == Kind::Fault) {
        allow({"client", "clients"});
        const QJsonValue one = spec.value(QStringLiteral("client"));
        const QJsonValue many = spec.value(QStringLiteral("clients"));
        if (one.isString() && !one.toString().isEmpty())
            step.clients = {one.toString()};
        for (const QJsonValue &name : many.toArray()) {
            if (!name.isString() || name.toString().isEmpty())
                return QStringLiteral("clients must be names (strings)");
            step.clients.append(name.toString());
        }
        if ((!one.isUndefined() && !one.isString()) || (!many.isUndefined() && !many.isArray()))
            return QStringLiteral("client is a name, clients a list of names");
        if (needsClients && step.clients.isEmpty())
            return QStringLiteral("%1 needs client or clients").arg(QLatin1String(kinds[int(step.kind)]));
    }
    switch (step.kind) {
    case Kind::Open:
        allow({"filter", "lastEventId", "resume", "token", "reconnect"});
        if (!spec.value(QStringLiteral("filter")).isUndefined() && !spec.value(QStringLiteral("filter")).isArray())
            return QStringLiteral("filter must be a list of event names");
        break;
    case Kind::Close:
    case Kind::Reset:
        break;
    case Kind::Publish:
        allow({"event", "data", "dataSize", "json", "target", "repeat", "as"});
        if (spec.contains(QStringLiteral("data")) == spec.contains(QStringLiteral("dataSize")))
            return QStringLiteral("publish needs data or dataSize (bytes of filler), one of them");
        if (!optionalWhole("dataSize", 0, 64 * 1024 * 1024) || !optionalWhole("repeat", 1, ScenarioStep::maxRepeat))
            return QStringLiteral("dataSize and repeat must be whole numbers (repeat 1 to %1)").arg(ScenarioStep::maxRepeat);
        break;
    case Kind::Wait:
        allow({"ms"});
        if (!isWhole(spec.value(QStringLiteral("ms")), 0, ScenarioStep::maxWaitMs))
            return QStringLiteral("wait needs ms, 0 to %1").arg(ScenarioStep::maxWaitMs);
        break;
    case Kind::Pause:
        allow({"delay", "target", "exceptGroups"});
        break;
    case Kind::Fault:
        allow({"fault"});
        if (!spec.value(QStringLiteral("fault")).isObject())
            return QStringLiteral("fault needs fault: {\"type\", ...} as for POST /api/faults");
        if (step.clients.size() > 1)
            return QStringLiteral("a fault names one client's stream at most");
        break;
    case Kind::Expect: {
        allow({"what", "events", "count", "for", "within", "reason", "status", "connections"});
        const QString what = spec.value(QStringLiteral("what")).toString();
        if (!expectations.contains(what))
            return QStringLiteral("expect needs what: one of %1").arg(expectations.join(u", "));
        if (what == QLatin1String("events") && !spec.value(QStringLiteral("events")).isArray())
            return QStringLiteral("expect events needs events: [{\"event\", \"data\", \"id\"}, ...]");
        if (what == QLatin1String("count") && !isWhole(spec.value(QStringLiteral("count")), 1, ScenarioStep::maxRepeat))
            return QStringLiteral("expect count needs count, a whole number");
        if (what == QLatin1String("refused") && !isWhole(spec.value(QStringLiteral("status")), 100, 599))
            return QStringLiteral("expect refused needs status");
        if (!optionalWhole("within", 0, ScenarioStep::maxWaitMs) || !optionalWhole("for", 0, ScenarioStep::maxWaitMs)
            || !optionalWhole("connections", 1, ScenarioStep::maxRepeat))
            return QStringLiteral("within, for and connections must be whole numbers");
        break;
    }
    }
    for (auto it = spec.begin(); it != spec.end(); ++it) {
        if (!known.contains(it.key()))
            return QStringLiteral("unknown field '%1' for %2").arg(it.key().left(64), QLatin1String(kinds[int(step.kind)]));
    }
    return {};
}

} // namespace

QString ScenarioStep::describe() const
{
    QString text = QLatin1String(kinds[int(kind)]);
    if (kind == Kind::Expect)
        text += u' ' + spec.value(QStringLiteral("what")).toString();
    if (kind == Kind::Fault)
        text += u' ' + spec.value(QStringLiteral("fault")).toObject().value(QStringLiteral("type")).toString();
    if (kind == Kind::Publish && spec.contains(QStringLiteral("event")))
        text += u' ' + spec.value(QStringLiteral("event")).toString();
    if (!clients.isEmpty())
        text += u' ' + clients.join(u',');
    return text + QStringLiteral(" (line %1)").arg(line);
}

std::optional<QList<ScenarioStep>> ScenarioStep::readAll(QIODevice *device, QString *error)
{
    QList<ScenarioStep> steps;
    int lineNumber = 0;
    while (!device->atEnd()) {
        const QByteArray line = device->readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const auto fail = [&](const QString &why) {
            *error = QStringLiteral("line %1: %2").arg(lineNumber).arg(why);
            return std::nullopt;
        };
        if (steps.size() >= maxSteps)
            return fail(QStringLiteral("more than %1 steps").arg(maxSteps));
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject())
            return fail(parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                     : QStringLiteral("not a JSON object"));
        ScenarioStep step;
        step.line = lineNumber;
        step.spec = document.object();
        const QString kind = step.spec.value(QStringLiteral("step")).toString();
        const auto found = std::find_if(std::begin(kinds), std::end(kinds),
                                        [&kind](const char *name) { return kind == QLatin1String(name); });
        if (found == std::end(kinds))
            return fail(QStringLiteral("step must be one of open, close, publish, wait, pause, fault, reset, expect"));
        step.kind = Kind(found - std::begin(kinds));
        if (const QString why = check(step); !why.isEmpty())
            return fail(why);
        steps.append(step);
    }
    if (steps.isEmpty()) {
        *error = QStringLiteral("no steps");
        return std::nullopt;
    }
    return steps;
}
