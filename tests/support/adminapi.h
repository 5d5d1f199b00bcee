#pragma once

#include "httpclient.h"
#include "sseclient.h"

#include <QJsonObject>
#include <QString>

// The admin API of a running server (ServerProcess::adminPort()), called with the test token.
class AdminApi final
{
public:
    // The answer to POST /api/push.
    struct Pushed
    {
        int status = 0;
        QString id;            // the event id, empty when refused
        int delivered = -1;    // streams it went to, -1 when the answer has no count
        QJsonObject body;      // the whole JSON answer
        HttpResponse response; // the raw answer, for header checks
    };

    // GET /api/stats.
    static QJsonObject stats(quint16 adminPort);
    // Its "history" object.
    static QJsonObject history(quint16 adminPort);
    // Its "connections" count, -1 if absent.
    static int connections(quint16 adminPort);
    // Polls /api/stats until the number `field` has the value (closes are noticed
    // asynchronously); false at the deadline.
    static bool waitForStat(quint16 adminPort, const QString &field, qint64 value, int timeoutMs = 10000);
    // waitForStat() of the open streams.
    static bool waitForConnections(quint16 adminPort, int count, int timeoutMs = 10000);

    // GET /metrics, the Prometheus text.
    static QByteArray metrics(quint16 adminPort);
    // The value of one sample line of that text, e.g. `name{label="x"}`; -1 if absent.
    static qint64 metric(const QByteArray &metricsText, const QByteArray &series);
    // The same, read from the server now.
    static qint64 metric(quint16 adminPort, const QByteArray &series);
    // eventsource_limit_hits_total{limit="<limit>"}.
    static qint64 limitHits(quint16 adminPort, const QByteArray &limit);

    // POST /api/push with this body.
    static Pushed push(quint16 adminPort, const QByteArray &body);
    static Pushed push(quint16 adminPort, const QJsonObject &body);
    // Pushes {"event": name, "data": data}, without "event" when the name is empty.
    static Pushed pushNamed(quint16 adminPort, const QString &name, const QString &data);

    // The GET /api/connections entry of the stream opened with this User-Agent (empty if none).
    static QJsonObject connectionOf(quint16 adminPort, const QString &userAgent);
    // Opens client on the public port with this User-Agent (and headers) and returns the
    // stream's connection id; empty when it did not open with 200.
    static QString openStream(SseClient &client, quint16 publicPort, quint16 adminPort, const QByteArray &userAgent,
                              const QByteArray &path = "/eventsource", const SseClient::Headers &headers = {});
};
