#include "http1responder.h"

#include "socketguard.h"
#include "streamsocket.h"
#include "tlsconnection.h"
#include "tlsplainsocket.h"
#include "tlssession.h"

Http1Responder::Http1Responder(QHttpServerResponder &&responder)
    : m_responder(std::move(responder))
{
}

void Http1Responder::respond(QHttpServerResponder::StatusCode status, const QByteArray &contentType,
                             const QByteArray &body, const HttpReply::Headers &headers)
{
    HttpReply::raw(m_responder, status, contentType, body, headers);
}

std::unique_ptr<StreamSink> Http1Responder::startStream(const HttpReply::Headers &headers)
{
    QTcpSocket *socket = m_responder.socket();
    if (!socket)
        return nullptr;
    if (SocketGuard *guard = SocketGuard::of(socket))
        guard->streamStarted();
    std::unique_ptr<StreamSink> sink;
    if (const auto *plain = qobject_cast<TlsPlainSocket *>(socket)) {
        std::optional<TlsConnection::Stream> stream =
            plain->connection() ? plain->connection()->takeStream() : std::nullopt;
        if (!stream)
            return nullptr;
        sink = std::make_unique<StreamSocket>(stream->descriptor, std::move(stream->session), stream->cipher);
    } else {
        // From here on the stream has its own descriptor and nobody parses requests on it
        // (the pipelining hazard); Qt's socket and request are freed.
        const int descriptor = StreamSocket::takeOver(socket);
        if (descriptor < 0)
            return nullptr;
        sink = std::make_unique<StreamSocket>(descriptor);
    }
    QByteArray head = "HTTP/1.1 200 OK\r\n"
                      "Content-Type: text/event-stream\r\n"
                      "Cache-Control: no-cache\r\n"
                      "X-Accel-Buffering: no\r\n"
                      "Connection: close\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    sink->queue(head + "\r\n");
    return sink;
}

QObject *Http1Responder::context() const
{
    return m_responder.socket();
}
