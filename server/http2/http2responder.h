#pragma once

#include "publicresponder.h"

#include <QPointer>

class Http2Session;

// A PublicResponder for one HTTP/2 request stream: the answer goes out on that stream; an
// event stream keeps it, its body in an Http2StreamSink.
class Http2Responder final : public PublicResponder
{
public:
    Http2Responder(Http2Session *session, qint32 streamId);

    void respond(QHttpServerResponder::StatusCode status, const QByteArray &contentType, const QByteArray &body,
                 const HttpReply::Headers &headers) override;
    std::unique_ptr<StreamSink> startStream(const HttpReply::Headers &headers) override;
    QObject *context() const override;
    QByteArray protocol() const override { return QByteArrayLiteral("h2"); }

private:
    QPointer<Http2Session> m_session;
    qint32 m_streamId;
};
