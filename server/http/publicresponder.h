#pragma once

#include "httpreply.h"

#include <QHttpServerResponder>

#include <memory>

class QObject;
class StreamSink;

// The answer to one PublicRequest, over the protocol that carried it: an HTTP/1.1
// connection (Http1Responder) or one HTTP/2 stream. Answered once.
class PublicResponder
{
public:
    virtual ~PublicResponder() = default;

    // A whole answer with a body (Content-Length and "Cache-Control: no-store" added).
    virtual void respond(QHttpServerResponder::StatusCode status, const QByteArray &contentType,
                         const QByteArray &body, const HttpReply::Headers &headers) = 0;
    // Answers 200 with an event stream: the response head (these headers and the stream's
    // own) is sent or queued, and the returned sink carries the body. nullptr when the
    // stream cannot be opened (out of descriptors, or the client is gone); nothing is
    // answered then.
    virtual std::unique_ptr<StreamSink> startStream(const HttpReply::Headers &headers) = 0;
    // Lives as long as an answer can still be delivered: the context for answers that come
    // later (a password checked on a worker thread). nullptr: the client is gone.
    virtual QObject *context() const = 0;
    // "http/1.1" or "h2", as the connection record reports it.
    virtual QByteArray protocol() const = 0;
};
