#pragma once

#include "corspolicy.h"
#include "httplimitstats.h"

#include <QHttpServerResponder>

class Fanout;
class FaultInjector;
class IdentityResolver;
class PublicRequest;
class PublicResponder;

// The public endpoint: GET <path> streams every event, GET <path>/a,b only events named a
// or b. Also the CORS preflight, the connection limit and Last-Event-ID (header or
// ?lastEventId=) for replay, and who the subscriber is (IdentityResolver). An accepted
// stream gets its sink from the responder, whichever protocol it speaks (HTTP/1.1, one
// HTTP/2 stream); the fan-out writes the body.
class StreamEndpoint final
{
public:
    struct Options
    {
        QString path;
        QStringList allowOrigins;
        int maxConnections = 10000;
        int maxConnectionsPerIp = 0; // 0: no limit
        int maxFilterNames = 256;
        int retryMs = 3000;
    };

    StreamEndpoint(Fanout *fanout, const IdentityResolver *identity, HttpLimitStats *stats, Options options);
    void handle(const PublicRequest &request, PublicResponder &responder);
    // With --test-faults: stream requests a reject fault takes get its status instead.
    void setFaults(FaultInjector *faults) { m_faults = faults; }

private:
    // A reject fault's answer: 204 (the client must not reconnect), 401, 429 or 503.
    static void rejectForTest(PublicResponder &responder, int status, int retryAfterS, CorsPolicy::Headers headers);
    // Refuses the stream with 503 (server full) or 429 (this address has its share).
    void refuseBusy(PublicResponder &responder, QHttpServerResponder::StatusCode status,
                    const QString &message, const CorsPolicy::Headers &cors);

    Fanout *m_fanout;
    const IdentityResolver *m_identity;
    HttpLimitStats *m_stats;
    FaultInjector *m_faults = nullptr;
    Options m_options;
    CorsPolicy m_cors;
};
