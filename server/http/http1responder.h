#pragma once

#include "publicresponder.h"

#include <QHttpServerResponder>

// A PublicResponder over QtHttpServer's HTTP/1.1 responder. An event stream takes the
// connection over, a descriptor of its own (StreamSocket; QtHttpServer lets go of it): on
// plain TCP Qt's, under TLS the client's, out of its TlsConnection with the session.
class Http1Responder final : public PublicResponder
{
public:
    explicit Http1Responder(QHttpServerResponder &&responder);

    void respond(QHttpServerResponder::StatusCode status, const QByteArray &contentType, const QByteArray &body,
                 const HttpReply::Headers &headers) override;
    std::unique_ptr<StreamSink> startStream(const HttpReply::Headers &headers) override;
    QObject *context() const override;
    QByteArray protocol() const override { return QByteArrayLiteral("http/1.1"); }

private:
    QHttpServerResponder m_responder;
};
