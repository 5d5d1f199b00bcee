#pragma once

#include "bytestream.h"
#include "floodmeter.h"
#include "httplimitstats.h"
#include "httpreply.h"
#include "publicrequest.h"
#include "publicresponder.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>

struct nghttp2_session;
class Http2StreamSink;

// One HTTP/2 connection of the public listener; nghttp2 does the framing, HPACK and flow
// control. Each request stream becomes a PublicRequest for the same handlers as HTTP/1.1,
// answered through an Http2Responder; an event stream is one HTTP/2 stream whose body its
// Http2StreamSink holds until the stream's window takes it, so a stream that stops reading
// fills only its own sink (and is reset alone by its owner). What nghttp2 writes reaches the
// socket once per event-loop turn, and only while the socket has room.
//
// Limits: a header list over maxHeaderBytes (an HPACK bomb too) gets 431, a body over
// maxBodyBytes 413, a request not complete in requestTimeoutMs 408; a connection without
// streams for that long is closed with GOAWAY. PING, SETTINGS and RST_STREAM frames past
// their budgets (FloodMeter) close the connection with GOAWAY ENHANCE_YOUR_CALM; nghttp2's
// own protocol errors (a window overflow, a bad preface) with its GOAWAY. All counted. A
// peer that has not taken its GOAWAY within requestTimeoutMs more, or nothing of a full
// socket backlog for that long, is cut off.
class Http2Session final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http2Session)

public:
    struct Options
    {
        int maxConcurrentStreams = 128;
        qint64 maxHeaderBytes = 16 * 1024;
        qint64 maxBodyBytes = 64 * 1024;
        int requestTimeoutMs = 10000;
        FloodMeter::Options pings{100, 10};
        FloodMeter::Options settings{100, 10};
        FloodMeter::Options resets{200, 50};
    };
    using Handler = std::function<void(const PublicRequest &, std::unique_ptr<PublicResponder>)>;

    // Takes over a connection whose next bytes are the client's connection preface; what is
    // buffered already is read at once. A child of the connection.
    Http2Session(ByteStream *socket, const Options &options, Handler handler, HttpLimitStats *stats);
    ~Http2Session() override;

    // Graceful shutdown: new streams are refused, and once the last stream has ended (each
    // event stream after its final retry:), GOAWAY and close.
    void shutdown();

    // For responders and sinks. A stream that has ended meanwhile is left alone.
    void respond(qint32 streamId, int status, const QByteArray &contentType, const QByteArray &body,
                 const HttpReply::Headers &headers);
    bool startStream(qint32 streamId, const HttpReply::Headers &headers, Http2StreamSink *sink);
    // The sink has more to send, or is closing.
    void resumeStream(qint32 streamId);
    void resetStream(qint32 streamId, quint32 errorCode);

private:
    struct Stream;
    class ResponseFields;
    friend struct Http2Callbacks;
    enum class Body { None, Answer, Events };

    void readSocket();
    void scheduleSend();
    void sendPending();
    // Runs what the nghttp2 callbacks left for after nghttp2 returns: sinks closed or drained.
    void afterCallbacks();
    void dispatch(Stream &stream);
    // Answers {"error": message} before the handlers saw the request (431, 413, 408).
    void answerEarly(Stream &stream, QHttpServerResponder::StatusCode status, const QString &message);
    // Sends the response head; its body comes from the stream's answer or its sink.
    bool submit(Stream &stream, ResponseFields &fields, Body body);
    void flood(qint64 HttpLimitStats::*counter, const char *kind);
    void countProtocolError();
    void sweep();
    void connectionLost();
    Stream *find(qint32 streamId);

    QPointer<ByteStream> m_socket;
    Options m_options;
    Handler m_handler;
    HttpLimitStats *m_stats;
    QHostAddress m_peer;
    nghttp2_session *m_session = nullptr;
    std::map<qint32, std::unique_ptr<Stream>> m_streams;
    QList<QPointer<Http2StreamSink>> m_closedSinks;
    QList<QPointer<Http2StreamSink>> m_drainedSinks;
    FloodMeter m_pings;
    FloodMeter m_settings;
    FloodMeter m_resets;
    QElapsedTimer m_clock;
    QTimer m_sweepTimer;
    qint64 m_idleSinceMs = 0;
    qint64 m_goawayAtMs = -1; // when the sweep first saw GOAWAY queued
    qint64 m_wroteAtMs = 0;   // when the socket last took bytes
    bool m_sendScheduled = false;
    bool m_shuttingDown = false;
    bool m_errorCounted = false;
};
