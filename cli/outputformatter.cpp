#include "outputformatter.h"

#include "tableformatter.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace {

QString scalar(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double: {
        const double number = value.toDouble();
        return number == std::floor(number) && std::abs(number) < 9e15
            ? QString::number(qint64(number))
            : QString::number(number, 'g', 15);
    }
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    default:
        return {};
    }
}

QString joined(const QJsonValue &list, const QString &whenEmpty)
{
    QStringList items;
    for (const QJsonValue &item : list.toArray())
        items.append(scalar(item));
    return items.isEmpty() ? whenEmpty : items.join(u',');
}

void flatten(const QString &prefix, const QJsonObject &object, QList<std::pair<QString, QString>> &out)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = prefix + it.key();
        if (it.value().isObject())
            flatten(key + u'.', it.value().toObject(), out);
        else
            out.append({key, scalar(it.value())});
    }
}

} // namespace

QString OutputFormatter::pushResult(const QJsonObject &answer)
{
    return QStringLiteral("id=%1 delivered=%2\n")
        .arg(scalar(answer.value(QStringLiteral("id"))), scalar(answer.value(QStringLiteral("delivered"))));
}

QString OutputFormatter::pauseResult(const QJsonObject &answer)
{
    return QStringLiteral("paused=%1 delay=%2\n")
        .arg(scalar(answer.value(QStringLiteral("paused"))), scalar(answer.value(QStringLiteral("delay"))));
}

QString OutputFormatter::kickResult(const QJsonObject &answer)
{
    if (answer.contains(QStringLiteral("sent")))
        return QStringLiteral("sent=%1\n").arg(scalar(answer.value(QStringLiteral("sent"))));
    return QStringLiteral("closed=%1\n").arg(scalar(answer.value(QStringLiteral("closed"))));
}

QString OutputFormatter::nodesTable(const QJsonObject &answer)
{
    using Align = TableFormatter::Align;
    TableFormatter table({QStringLiteral("NODE"), QStringLiteral("STREAMS"), QStringLiteral("HEARTBEAT")},
                         {Align::Left, Align::Right, Align::Left});
    for (const QJsonValue &entry : answer.value(QStringLiteral("nodes")).toArray()) {
        const QJsonObject node = entry.toObject();
        const qint64 beat = node.value(QStringLiteral("heartbeatAt")).toInteger();
        table.addRow({node.value(QStringLiteral("id")).toString(), scalar(node.value(QStringLiteral("connections"))),
                      beat > 0 ? QDateTime::fromMSecsSinceEpoch(beat).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                               : QString()});
    }
    return table.toString();
}

QString OutputFormatter::faultsTable(const QJsonObject &answer)
{
    using Align = TableFormatter::Align;
    TableFormatter table({QStringLiteral("ID"), QStringLiteral("TYPE"), QStringLiteral("SCOPE"),
                          QStringLiteral("PARAMETERS"), QStringLiteral("PENDING"), QStringLiteral("EXPIRES")},
                         {Align::Left, Align::Left, Align::Left, Align::Left, Align::Left, Align::Left});
    for (const QJsonValue &entry : answer.value(QStringLiteral("faults")).toArray()) {
        const QJsonObject fault = entry.toObject();
        QStringList scope;
        if (fault.contains(QStringLiteral("connection")))
            scope.append(QStringLiteral("connection ") + fault.value(QStringLiteral("connection")).toString());
        const QJsonObject target = fault.value(QStringLiteral("target")).toObject();
        for (auto it = target.begin(); it != target.end(); ++it)
            scope.append(it.key() + u' ' + joined(it.value(), {}));
        QStringList parameters;
        for (const char *name : {"durationMs", "status", "count", "retryAfterS"}) {
            if (fault.contains(QLatin1String(name)))
                parameters.append(QStringLiteral("%1=%2").arg(QLatin1String(name), scalar(fault.value(QLatin1String(name)))));
        }
        const QString pending = fault.contains(QStringLiteral("remaining"))
            ? QStringLiteral("%1 request(s)").arg(scalar(fault.value(QStringLiteral("remaining"))))
            : QStringLiteral("stream(s) ") + joined(fault.value(QStringLiteral("pending")), QStringLiteral("none"));
        const QDateTime expires = QDateTime::fromString(fault.value(QStringLiteral("expiresAt")).toString(),
                                                        Qt::ISODateWithMs);
        table.addRow({fault.value(QStringLiteral("id")).toString(), fault.value(QStringLiteral("type")).toString(),
                      scope.isEmpty() ? QStringLiteral("every stream") : scope.join(QStringLiteral("; ")),
                      parameters.join(u' '), pending,
                      expires.isValid() ? expires.toLocalTime().toString(QStringLiteral("HH:mm:ss")) : QString()});
    }
    return table.toString();
}

QString OutputFormatter::connectionsTable(const QJsonObject &answer)
{
    using Align = TableFormatter::Align;
    const QJsonArray connections = answer.value(QStringLiteral("connections")).toArray();
    // A cluster's listing says where each stream is.
    const bool clustered = std::any_of(connections.begin(), connections.end(), [](const QJsonValue &entry) {
        return entry.toObject().contains(QStringLiteral("node"));
    });
    QStringList headers{QStringLiteral("ID"), QStringLiteral("USER"), QStringLiteral("GROUPS"),
                        QStringLiteral("SESSION"), QStringLiteral("REMOTE"), QStringLiteral("FILTER"),
                        QStringLiteral("EVENTS"), QStringLiteral("SINCE")};
    QList<Align> alignments{Align::Right, Align::Left, Align::Left, Align::Left, Align::Left, Align::Left,
                            Align::Right, Align::Left};
    if (clustered) {
        headers.append(QStringLiteral("NODE"));
        alignments.append(Align::Left);
    }
    TableFormatter table(headers, alignments);
    for (const QJsonValue &entry : connections) {
        const QJsonObject connection = entry.toObject();
        // Names read better than ids; an anonymous stream has neither.
        QString user = connection.value(QStringLiteral("userName")).toString();
        if (user.isEmpty())
            user = connection.value(QStringLiteral("userId")).toString();
        const QDateTime since = QDateTime::fromString(connection.value(QStringLiteral("connectedAt")).toString(),
                                                      Qt::ISODateWithMs);
        QStringList row{scalar(connection.value(QStringLiteral("id"))), user,
                        joined(connection.value(QStringLiteral("groups")), {}),
                        connection.value(QStringLiteral("session")).toString(),
                        connection.value(QStringLiteral("remoteAddress")).toString(),
                        joined(connection.value(QStringLiteral("filter")), QStringLiteral("*")),
                        scalar(connection.value(QStringLiteral("eventsSent"))),
                        since.isValid() ? since.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                        : QString()};
        if (clustered)
            row.append(connection.value(QStringLiteral("node")).toString());
        table.addRow(row);
    }
    return table.toString();
}

QString OutputFormatter::statsLines(const QJsonObject &answer)
{
    QList<std::pair<QString, QString>> pairs;
    flatten({}, answer, pairs);
    return TableFormatter::keyValues(pairs);
}

QString OutputFormatter::eventLine(const SseMessage &message)
{
    QString data = message.data;
    data.replace(u'\n', QLatin1String("\\n"));
    return QStringLiteral("id=%1 event=%2 data=%3\n").arg(message.lastEventId, message.type, data);
}

QString OutputFormatter::eventJsonLine(const SseMessage &message)
{
    const QJsonObject object{{QStringLiteral("id"), message.lastEventId},
                             {QStringLiteral("event"), message.type},
                             {QStringLiteral("data"), message.data}};
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) + u'\n';
}
