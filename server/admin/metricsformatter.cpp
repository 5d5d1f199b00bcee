#include "metricsformatter.h"

#include "faultinjector.h"
#include "hub.h"

namespace {

class Writer
{
public:
    void metric(const char *name, const char *type, const char *help, qint64 value)
    {
        header(name, type, help);
        m_out += QByteArray(name) + ' ' + QByteArray::number(value) + '\n';
    }
    void header(const char *name, const char *type, const char *help)
    {
        m_out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
    }
    void sample(const char *name, const char *label, const char *labelValue, qint64 value)
    {
        m_out += QByteArray(name) + '{' + label + "=\"" + labelValue + "\"} " + QByteArray::number(value) + '\n';
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

} // namespace

QByteArray MetricsFormatter::format(const Hub &hub, const HttpLimitStats &http, FaultInjector *faults)
{
    const FanoutStats &s = hub.fanout().stats();
    const Hub::Stats &published = hub.stats();
    const EventBus::HistoryStats history = hub.bus().history();
    Writer w;
    w.metric("eventsource_connections", "gauge", "Open event streams.", hub.fanout().connectionCount());
    w.metric("eventsource_connections_opened_total", "counter", "Event streams opened.", s.connectionsOpened);
    w.metric("eventsource_events_published_total", "counter", "Events published.", published.eventsPublished);
    w.metric("eventsource_events_rejected_total", "counter", "Events refused (bad name, data or size).",
             published.eventsRejected);
    w.metric("eventsource_events_unavailable_total", "counter", "Events the history could not store (503).",
             published.eventsUnavailable);
    w.metric("eventsource_deliveries_total", "counter", "Events queued to streams.", s.deliveries);
    w.metric("eventsource_bytes_sent_total", "counter", "Bytes written to streams.", s.bytesSent);
    w.metric("eventsource_replayed_events_total", "counter", "Events replayed after Last-Event-ID.", s.replayedEvents);
    w.metric("eventsource_resume_gaps_total", "counter", "Resumes from an unknown or too old id.", s.resumeGaps);
    w.metric("eventsource_kicked_total", "counter", "Streams closed by an operator.", s.kicked);
    w.metric("eventsource_paused_total", "counter", "Streams paused (retry sent, then closed).", s.paused);
    w.metric("eventsource_token_expired_total", "counter", "Streams closed as their token expired.", s.tokenExpired);
    w.metric("eventsource_history_events", "gauge", "Events kept for replay.", history.size);
    w.metric("eventsource_history_bytes", "gauge", "Event memory kept for replay (data, names, frames).",
             history.bytes);
    w.metric("eventsource_history_max_bytes", "gauge", "The most event memory kept for replay (--history-max-mb).",
             history.maxBytes);
    w.metric("eventsource_history_write_errors_total", "counter", "History commits that failed.",
             history.writeErrors);
    w.metric("eventsource_uptime_seconds", "gauge", "Seconds since start.", hub.uptimeMs() / 1000);
    if (const QJsonObject broker = hub.bus().status(); !broker.isEmpty()) {
        // A cluster node: whether it can publish and read, and how far behind it is.
        const auto count = [&broker](const char *field) { return broker.value(QLatin1String(field)).toInteger(); };
        w.metric("eventsource_broker_up", "gauge", "1 when the broker (Redis) takes publishes and is read.",
                 hub.bus().healthy() ? 1 : 0);
        w.metric("eventsource_broker_reconnects_total", "counter", "Connections to the broker made again.",
                 count("reconnects"));
        w.metric("eventsource_broker_publish_failures_total", "counter", "Publishes the broker did not take (503).",
                 count("publishFailures"));
        w.metric("eventsource_broker_lag_events", "gauge", "Events in the broker this node has not read yet.",
                 count("lagEvents"));
        w.metric("eventsource_broker_missed_events_total", "counter",
                 "Events trimmed from the broker before this node read them.", count("missedEntries"));
        w.metric("eventsource_broker_malformed_entries_total", "counter",
                 "Broker entries in a shape this node does not read (skipped).", count("malformedEntries"));
    }
    w.header("eventsource_limit_hits_total", "counter", "Requests or streams refused or closed by a limit.");
    w.sample("eventsource_limit_hits_total", "limit", "max_connections", http.streamsRejected);
    w.sample("eventsource_limit_hits_total", "limit", "max_connections_per_ip", http.streamsRejectedPerAddress);
    w.sample("eventsource_limit_hits_total", "limit", "filter_names", http.filtersRefused);
    w.sample("eventsource_limit_hits_total", "limit", "buffer", s.slowConsumersDropped);
    w.sample("eventsource_limit_hits_total", "limit", "event_size", published.eventsTooLarge);
    w.sample("eventsource_limit_hits_total", "limit", "header_size", http.headerTooLarge);
    w.sample("eventsource_limit_hits_total", "limit", "body_size", http.bodyTooLarge);
    w.sample("eventsource_limit_hits_total", "limit", "request_timeout", http.requestTimeouts);
    w.sample("eventsource_limit_hits_total", "limit", "malformed_request", http.malformedRequests);
    w.metric("eventsource_accept_errors_total", "counter", "Failed accepts (such as out of descriptors).", http.acceptErrors);
    w.metric("eventsource_tls_handshakes_total", "counter", "TLS handshakes completed.", http.tlsHandshakes);
    w.metric("eventsource_tls_handshake_failures_total", "counter",
             "TLS handshakes that failed (plain HTTP on a TLS port, no common protocol, a refused certificate).",
             http.tlsHandshakeFailures);
    w.metric("eventsource_tls_handshake_timeouts_total", "counter",
             "Connections closed before their TLS handshake ended, within --request-timeout-ms.",
             http.tlsHandshakeTimeouts);
    w.metric("eventsource_h2_connections_total", "counter", "HTTP/2 connections served (ALPN h2 or h2c).",
             http.h2Connections);
    w.metric("eventsource_h2_streams_refused_total", "counter",
             "HTTP/2 streams refused (over --h2-max-streams, or while shutting down).", http.h2StreamsRefused);
    w.header("eventsource_h2_floods_total", "counter",
             "HTTP/2 connections closed with ENHANCE_YOUR_CALM for the frames they flooded.");
    w.sample("eventsource_h2_floods_total", "frame", "ping", http.h2PingFloods);
    w.sample("eventsource_h2_floods_total", "frame", "settings", http.h2SettingsFloods);
    w.sample("eventsource_h2_floods_total", "frame", "rst_stream", http.h2ResetFloods);
    w.metric("eventsource_h2_protocol_errors_total", "counter",
             "HTTP/2 connections closed on a protocol error (bad preface, flow-control window overflow...).",
             http.h2ProtocolErrors);
    w.metric("eventsource_test_faults_enabled", "gauge", "1 when faults may be injected (--test-faults).",
             faults ? 1 : 0);
    if (faults) {
        using Type = FaultRequest::Type;
        const FaultInjector::Stats &f = faults->stats();
        w.metric("eventsource_faults_active", "gauge", "Test faults that still apply to something.",
                 faults->activeCount());
        w.header("eventsource_faults_created_total", "counter", "Test faults made, by type.");
        for (const QString &type : FaultRequest::typeNames())
            w.sample("eventsource_faults_created_total", "type", type.toLatin1().constData(),
                     f.created[int(*FaultRequest::typeFromName(type))]);
        const std::pair<Type, qint64> applied[] = {{Type::Stall, f.streamsStalled},
                                                   {Type::Cut, s.faultCuts},
                                                   {Type::Reject, f.requestsRejected},
                                                   {Type::Duplicate, s.faultDuplicates},
                                                   {Type::Malformed, s.faultMalformed}};
        w.header("eventsource_faults_applied_total", "counter",
                 "What test faults did: streams stalled, events cut, duplicated or malformed, requests rejected.");
        for (const auto &[type, count] : applied)
            w.sample("eventsource_faults_applied_total", "type", FaultRequest::typeName(type).toLatin1().constData(),
                     count);
    }
    return w.take();
}
