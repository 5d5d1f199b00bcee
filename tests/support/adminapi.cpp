#include "adminapi.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>

QJsonObject AdminApi::stats(quint16 adminPort)
{
    return HttpClient::admin(adminPort, "GET", "/api/stats").json().object();
}

QJsonObject AdminApi::history(quint16 adminPort)
{
    return stats(adminPort).value(QStringLiteral("history")).toObject();
}

int AdminApi::connections(quint16 adminPort)
{
    return stats(adminPort).value(QStringLiteral("connections")).toInt(-1);
}

bool AdminApi::waitForStat(quint16 adminPort, const QString &field, qint64 value, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    do {
        if (stats(adminPort).value(field).toInteger(-1) == value)
            return true;
    } while (!deadline.hasExpired());
    return false;
}

bool AdminApi::waitForConnections(quint16 adminPort, int count, int timeoutMs)
{
    return waitForStat(adminPort, QStringLiteral("connections"), count, timeoutMs);
}

QByteArray AdminApi::metrics(quint16 adminPort)
{
    return HttpClient::admin(adminPort, "GET", "/metrics").body;
}

qint64 AdminApi::metric(const QByteArray &metricsText, const QByteArray &series)
{
    for (const QByteArray &line : metricsText.split('\n')) {
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).trimmed().toLongLong();
    }
    return -1;
}

qint64 AdminApi::metric(quint16 adminPort, const QByteArray &series)
{
    return metric(metrics(adminPort), series);
}

qint64 AdminApi::limitHits(quint16 adminPort, const QByteArray &limit)
{
    return metric(adminPort, "eventsource_limit_hits_total{limit=\"" + limit + "\"}");
}

AdminApi::Pushed AdminApi::push(quint16 adminPort, const QByteArray &body)
{
    Pushed pushed;
    pushed.response = HttpClient::admin(adminPort, "POST", "/api/push", body);
    pushed.status = pushed.response.status;
    pushed.body = pushed.response.json().object();
    pushed.id = pushed.body.value(QStringLiteral("id")).toString();
    pushed.delivered = pushed.body.value(QStringLiteral("delivered")).toInt(-1);
    return pushed;
}

AdminApi::Pushed AdminApi::push(quint16 adminPort, const QJsonObject &body)
{
    return push(adminPort, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

AdminApi::Pushed AdminApi::pushNamed(quint16 adminPort, const QString &name, const QString &data)
{
    QJsonObject body{{QStringLiteral("data"), data}};
    if (!name.isEmpty())
        body.insert(QStringLiteral("event"), name);
    return push(adminPort, body);
}

QJsonObject AdminApi::connectionOf(quint16 adminPort, const QString &userAgent)
{
    const QJsonArray list = HttpClient::admin(adminPort, "GET", "/api/connections")
                                .json()[QStringLiteral("connections")].toArray();
    for (const QJsonValue &entry : list) {
        if (entry[QStringLiteral("userAgent")].toString() == userAgent)
            return entry.toObject();
    }
    return {};
}

QString AdminApi::openStream(SseClient &client, quint16 publicPort, quint16 adminPort, const QByteArray &userAgent,
                             const QByteArray &path, const SseClient::Headers &headers)
{
    SseClient::Headers all = headers;
    all.append({"User-Agent", userAgent});
    if (!client.open(publicPort, path, all) || client.status() != 200)
        return {};
    return connectionOf(adminPort, QString::fromLatin1(userAgent))[QStringLiteral("id")].toString();
}
