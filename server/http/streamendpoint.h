#pragma once

#include "corspolicy.h"

#include <QHttpServerResponder>

class Hub;
class QHttpServerRequest;

// The public endpoint: GET <path> streams every event, GET <path>/a,b only events named a
// or b. Also the CORS preflight, the connection limit and Last-Event-ID (header or
// ?lastEventId=) for replay.
class StreamEndpoint final
{
public:
    struct Options
    {
        QString path;
        QStringList allowOrigins;
        int maxConnections = 10000;
        int retryMs = 3000;
    };

    StreamEndpoint(Hub *hub, Options options);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);

private:
    Hub *m_hub;
    Options m_options;
    CorsPolicy m_cors;
};
