#include "http2session.h"

#include "clientaddress.h"
#include "http2responder.h"
#include "http2streamsink.h"

#include <QLoggingCategory>

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <vector>

Q_LOGGING_CATEGORY(lcHttp2, "eventsource.server.http2")

namespace {

// What nghttp2 may have queued on the socket before it waits for the socket to drain.
constexpr qint64 maxSocketBacklog = 256 * 1024;
// The window each request stream may send into before we read it (bodies are small).
constexpr int requestWindowBytes = 64 * 1024;

// Headers of HTTP/1.1 that HTTP/2 forbids (RFC 9113 8.2.2).
bool isConnectionSpecific(const QByteArray &lowerName)
{
    return lowerName == "connection" || lowerName == "keep-alive" || lowerName == "proxy-connection"
        || lowerName == "transfer-encoding" || lowerName == "upgrade";
}

} // namespace

// The header fields of one response, kept alive for nghttp2_submit_response.
class Http2Session::ResponseFields
{
public:
    explicit ResponseFields(int status) { add(":status", QByteArray::number(status)); }
    void add(QByteArray name, QByteArray value)
    {
        name = name.toLower();
        if (isConnectionSpecific(name))
            return;
        m_names.append(std::move(name));
        m_values.append(std::move(value));
    }
    void addAll(const HttpReply::Headers &headers)
    {
        for (const auto &[name, value] : headers)
            add(name, value);
    }
    std::vector<nghttp2_nv> fields()
    {
        std::vector<nghttp2_nv> nv;
        nv.reserve(m_names.size());
        for (qsizetype i = 0; i < m_names.size(); ++i) {
            nv.push_back({reinterpret_cast<uint8_t *>(m_names[i].data()), reinterpret_cast<uint8_t *>(m_values[i].data()),
                          size_t(m_names[i].size()), size_t(m_values[i].size()), NGHTTP2_NV_FLAG_NONE});
        }
        return nv;
    }

private:
    QByteArrayList m_names;
    QByteArrayList m_values;
};

struct Http2Session::Stream
{
    qint32 id = 0;
    qint64 begunAtMs = 0;
    QByteArray method;
    QByteArray path;
    QByteArray authority;
    PublicRequest::Headers headers;
    QByteArray body;
    qint64 headerBytes = 0;
    bool headersTooLarge = false;
    bool refused = false;    // during shutdown: RST_STREAM REFUSED_STREAM
    bool dispatched = false; // handed to the handler, or answered by this session
    bool answered = false;
    bool requestEnded = false;
    QByteArray answer; // a whole answer's body
    qsizetype answerSent = 0;
    QPointer<Http2StreamSink> sink; // an event stream's body
};

// nghttp2's callbacks, with the session as user data.
struct Http2Callbacks
{
    static Http2Session *of(void *user) { return static_cast<Http2Session *>(user); }

    static int beginHeaders(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;
        Http2Session *self = of(user);
        auto stream = std::make_unique<Http2Session::Stream>();
        stream->id = frame->hd.stream_id;
        stream->begunAtMs = self->m_clock.elapsed();
        if (self->m_shuttingDown) {
            stream->refused = true;
            nghttp2_submit_rst_stream(self->m_session, NGHTTP2_FLAG_NONE, stream->id, NGHTTP2_REFUSED_STREAM);
        }
        self->m_streams[stream->id] = std::move(stream);
        return 0;
    }

    static int header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t nameLength,
                      const uint8_t *value, size_t valueLength, uint8_t, void *user)
    {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0; // trailers: not read
        Http2Session::Stream *stream = of(user)->find(frame->hd.stream_id);
        if (!stream || stream->refused)
            return 0;
        // As RFC 9113 counts a header list (32 bytes of overhead a field): what an HPACK
        // bomb decodes to is counted, not what it took on the wire.
        stream->headerBytes += qint64(nameLength + valueLength + 32);
        if (stream->headerBytes > of(user)->m_options.maxHeaderBytes)
            stream->headersTooLarge = true;
        if (stream->headersTooLarge)
            return 0;
        const QByteArray fieldName(reinterpret_cast<const char *>(name), qsizetype(nameLength));
        const QByteArray fieldValue(reinterpret_cast<const char *>(value), qsizetype(valueLength));
        if (fieldName == ":method")
            stream->method = fieldValue;
        else if (fieldName == ":path")
            stream->path = fieldValue;
        else if (fieldName == ":authority")
            stream->authority = fieldValue;
        else if (!fieldName.startsWith(':'))
            stream->headers.append({fieldName, fieldValue});
        return 0;
    }

    static int dataChunk(nghttp2_session *, uint8_t, int32_t streamId, const uint8_t *data, size_t length, void *user)
    {
        Http2Session *self = of(user);
        Http2Session::Stream *stream = self->find(streamId);
        if (!stream || stream->dispatched || stream->refused)
            return 0;
        if (stream->body.size() + qint64(length) > self->m_options.maxBodyBytes) {
            ++self->m_stats->bodyTooLarge;
            self->answerEarly(*stream, QHttpServerResponder::StatusCode::PayloadTooLarge,
                              QStringLiteral("request body is too large"));
            return 0;
        }
        stream->body.append(reinterpret_cast<const char *>(data), qsizetype(length));
        return 0;
    }

    static int frameReceived(nghttp2_session *, const nghttp2_frame *frame, void *user)
    {
        Http2Session *self = of(user);
        const qint64 now = self->m_clock.elapsed();
        switch (frame->hd.type) {
        case NGHTTP2_PING:
            if (!(frame->hd.flags & NGHTTP2_FLAG_ACK) && !self->m_pings.admit(now))
                self->flood(&HttpLimitStats::h2PingFloods, "ping");
            return 0;
        case NGHTTP2_SETTINGS:
            if (!(frame->hd.flags & NGHTTP2_FLAG_ACK) && !self->m_settings.admit(now))
                self->flood(&HttpLimitStats::h2SettingsFloods, "settings");
            return 0;
        case NGHTTP2_RST_STREAM:
            if (!self->m_resets.admit(now))
                self->flood(&HttpLimitStats::h2ResetFloods, "reset");
            return 0;
        case NGHTTP2_HEADERS:
        case NGHTTP2_DATA:
            break;
        default:
            return 0;
        }
        if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
            return 0;
        Http2Session::Stream *stream = self->find(frame->hd.stream_id);
        if (!stream)
            return 0;
        stream->requestEnded = true;
        if (!stream->dispatched && !stream->refused)
            self->dispatch(*stream);
        return 0;
    }

    static int frameSent(nghttp2_session *session, const nghttp2_frame *frame, void *user)
    {
        Http2Session *self = of(user);
        if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR)
            self->countProtocolError();
        if (frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code == NGHTTP2_REFUSED_STREAM)
            ++self->m_stats->h2StreamsRefused;
        const bool ended = (frame->hd.type == NGHTTP2_DATA || frame->hd.type == NGHTTP2_HEADERS)
            && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
        if (!ended)
            return 0;
        // Answered before the request ended (413, 408): the client may stop sending
        // (RFC 9113 8.1), and must, or it would keep the stream.
        if (Http2Session::Stream *stream = self->find(frame->hd.stream_id); stream && !stream->requestEnded)
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream->id, NGHTTP2_NO_ERROR);
        return 0;
    }

    static int streamClosed(nghttp2_session *, int32_t streamId, uint32_t, void *user)
    {
        Http2Session *self = of(user);
        const auto found = self->m_streams.find(streamId);
        if (found == self->m_streams.end())
            return 0;
        if (found->second->sink)
            self->m_closedSinks.append(found->second->sink);
        self->m_streams.erase(found);
        if (self->m_streams.empty())
            self->m_idleSinceMs = self->m_clock.elapsed();
        return 0;
    }

    static ssize_t readAnswer(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                              nghttp2_data_source *source, void *)
    {
        auto *stream = static_cast<Http2Session::Stream *>(source->ptr);
        const qsizetype size = qMin<qsizetype>(qsizetype(length), stream->answer.size() - stream->answerSent);
        std::memcpy(buffer, stream->answer.constData() + stream->answerSent, size_t(size));
        stream->answerSent += size;
        if (stream->answerSent == stream->answer.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return size;
    }

    static ssize_t readEvents(nghttp2_session *, int32_t, uint8_t *buffer, size_t length, uint32_t *flags,
                              nghttp2_data_source *source, void *user)
    {
        auto *stream = static_cast<Http2Session::Stream *>(source->ptr);
        Http2StreamSink *sink = stream->sink;
        if (!sink) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return 0;
        }
        bool end = false;
        const qsizetype size = sink->read(reinterpret_cast<char *>(buffer), qsizetype(length), &end);
        if (size > 0)
            of(user)->m_drainedSinks.append(sink);
        if (end)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        else if (size == 0)
            return NGHTTP2_ERR_DEFERRED;
        return size;
    }
};

Http2Session::Http2Session(ByteStream *socket, const Options &options, Handler handler, HttpLimitStats *stats)
    : QObject(socket)
    , m_socket(socket)
    , m_options(options)
    , m_handler(std::move(handler))
    , m_stats(stats)
    , m_peer(socket->peerAddress())
    , m_pings(options.pings)
    , m_settings(options.settings)
    , m_resets(options.resets)
{
    m_clock.start();
    ++m_stats->h2Connections;
    nghttp2_session_callbacks *callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Http2Callbacks::beginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &Http2Callbacks::header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Http2Callbacks::dataChunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Http2Callbacks::frameReceived);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Http2Callbacks::frameSent);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Http2Callbacks::streamClosed);
    nghttp2_option *option = nullptr;
    nghttp2_option_new(&option);
    nghttp2_option_set_max_send_header_block_length(option, 64 * 1024);
    nghttp2_session_server_new2(&m_session, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);

    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, uint32_t(m_options.maxConcurrentStreams)},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, uint32_t(requestWindowBytes)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, uint32_t(m_options.maxHeaderBytes)},
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
    };
    nghttp2_submit_settings(m_session, NGHTTP2_FLAG_NONE, settings, std::size(settings));

    connect(socket, &ByteStream::readyRead, this, &Http2Session::readSocket);
    connect(socket, &ByteStream::bytesWritten, this, [this] {
        m_wroteAtMs = m_clock.elapsed();
        scheduleSend();
    });
    connect(socket, &ByteStream::disconnected, this, &Http2Session::connectionLost);
    m_sweepTimer.setInterval(m_options.requestTimeoutMs);
    connect(&m_sweepTimer, &QTimer::timeout, this, &Http2Session::sweep);
    m_sweepTimer.start();
    readSocket();
    sendPending();
}

Http2Session::~Http2Session()
{
    connectionLost();
}

void Http2Session::readSocket()
{
    if (!m_session || !m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (bytes.isEmpty())
        return;
    const ssize_t used = nghttp2_session_mem_recv(m_session, reinterpret_cast<const uint8_t *>(bytes.constData()),
                                                  size_t(bytes.size()));
    if (used < 0) {
        // A bad preface, or what nghttp2 takes for a flood of its own: no GOAWAY is owed.
        qCDebug(lcHttp2).nospace().noquote() << "connection error peer=" << ClientAddress::text(m_peer)
                                   << " error=" << nghttp2_strerror(int(used));
        countProtocolError();
        afterCallbacks();
        m_socket->abort();
        return;
    }
    afterCallbacks();
    sendPending();
}

void Http2Session::scheduleSend()
{
    if (m_sendScheduled)
        return;
    m_sendScheduled = true;
    QMetaObject::invokeMethod(this, &Http2Session::sendPending, Qt::QueuedConnection);
}

void Http2Session::sendPending()
{
    m_sendScheduled = false;
    if (!m_session || !m_socket)
        return;
    QByteArray out;
    while (m_socket->bytesToWrite() + out.size() < maxSocketBacklog) {
        const uint8_t *data = nullptr;
        const ssize_t size = nghttp2_session_mem_send(m_session, &data);
        if (size <= 0)
            break;
        out.append(reinterpret_cast<const char *>(data), qsizetype(size));
    }
    if (!out.isEmpty())
        m_socket->write(out);
    afterCallbacks();
    if (m_session && m_socket && !nghttp2_session_want_read(m_session) && !nghttp2_session_want_write(m_session))
        m_socket->close();
}

void Http2Session::afterCallbacks()
{
    for (const QPointer<Http2StreamSink> &sink : std::exchange(m_drainedSinks, {})) {
        if (sink)
            sink->notifyDrained();
    }
    for (const QPointer<Http2StreamSink> &sink : std::exchange(m_closedSinks, {})) {
        if (sink)
            sink->streamClosed();
    }
    if (m_shuttingDown && m_streams.empty() && m_session && nghttp2_session_want_read(m_session)) {
        nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
        scheduleSend();
    }
}

void Http2Session::dispatch(Stream &stream)
{
    if (stream.headersTooLarge) {
        ++m_stats->headerTooLarge;
        answerEarly(stream, QHttpServerResponder::StatusCode::RequestHeaderFieldsTooLarge,
                    QStringLiteral("request header list is too large"));
        return;
    }
    stream.dispatched = true;
    const PublicRequest request(stream.method, stream.path, stream.authority, std::exchange(stream.headers, {}),
                                std::exchange(stream.body, {}), m_peer);
    m_handler(request, std::make_unique<Http2Responder>(this, stream.id));
}

void Http2Session::answerEarly(Stream &stream, QHttpServerResponder::StatusCode status, const QString &message)
{
    stream.dispatched = true;
    stream.body.clear();
    Http2Responder responder(this, stream.id);
    HttpReply::error(responder, status, message);
}

void Http2Session::respond(qint32 streamId, int status, const QByteArray &contentType, const QByteArray &body,
                           const HttpReply::Headers &headers)
{
    Stream *stream = find(streamId);
    if (!stream || stream->answered || !m_session)
        return;
    stream->answer = body;
    ResponseFields fields(status);
    fields.add("content-type", contentType);
    fields.add("content-length", QByteArray::number(body.size()));
    fields.add("cache-control", "no-store");
    fields.addAll(headers);
    submit(*stream, fields, body.isEmpty() ? Body::None : Body::Answer);
}

bool Http2Session::startStream(qint32 streamId, const HttpReply::Headers &headers, Http2StreamSink *sink)
{
    Stream *stream = find(streamId);
    if (!stream || stream->answered || !m_session)
        return false;
    stream->sink = sink;
    ResponseFields fields(200);
    fields.add("content-type", "text/event-stream");
    fields.add("cache-control", "no-cache");
    fields.add("x-accel-buffering", "no");
    fields.addAll(headers);
    return submit(*stream, fields, Body::Events);
}

bool Http2Session::submit(Stream &stream, ResponseFields &fields, Body body)
{
    stream.answered = true;
    std::vector<nghttp2_nv> nv = fields.fields();
    nghttp2_data_provider provider;
    provider.source.ptr = &stream;
    provider.read_callback = body == Body::Events ? &Http2Callbacks::readEvents : &Http2Callbacks::readAnswer;
    if (nghttp2_submit_response(m_session, stream.id, nv.data(), nv.size(), body == Body::None ? nullptr : &provider)
        != 0)
        return false;
    scheduleSend();
    return true;
}

void Http2Session::resumeStream(qint32 streamId)
{
    if (!m_session || !find(streamId))
        return;
    nghttp2_session_resume_data(m_session, streamId);
    scheduleSend();
}

void Http2Session::resetStream(qint32 streamId, quint32 errorCode)
{
    Stream *stream = find(streamId);
    if (!m_session || !stream)
        return;
    stream->sink = nullptr;
    nghttp2_submit_rst_stream(m_session, NGHTTP2_FLAG_NONE, streamId, errorCode);
    scheduleSend();
}

void Http2Session::shutdown()
{
    m_shuttingDown = true;
    afterCallbacks();
}

void Http2Session::flood(qint64 HttpLimitStats::*counter, const char *kind)
{
    if (!m_session || m_errorCounted)
        return;
    ++(m_stats->*counter);
    m_errorCounted = true; // the GOAWAY that follows is this, not a protocol error
    if (const std::optional<qint64> heldBack = m_stats->refusalLog.admit()) {
        qCInfo(lcHttp2).nospace().noquote() << "HTTP/2 flood closed kind=" << kind << " peer=" << ClientAddress::text(m_peer)
                                  << " refusals_not_logged=" << *heldBack;
    }
    nghttp2_session_terminate_session(m_session, NGHTTP2_ENHANCE_YOUR_CALM);
}

void Http2Session::countProtocolError()
{
    if (std::exchange(m_errorCounted, true))
        return;
    ++m_stats->h2ProtocolErrors;
}

void Http2Session::sweep()
{
    if (!m_session)
        return;
    const qint64 now = m_clock.elapsed();
    // A peer that takes none of a full socket backlog for that long has stopped reading
    // the connection itself: its streams' resets and its GOAWAY would wait behind it.
    if (m_socket->bytesToWrite() >= maxSocketBacklog && now - m_wroteAtMs >= m_options.requestTimeoutMs) {
        qCDebug(lcHttp2).nospace().noquote() << "connection not read, cut off peer=" << ClientAddress::text(m_peer);
        m_socket->abort();
        return;
    }
    for (auto &[id, stream] : m_streams) {
        if (!stream->dispatched && !stream->refused && now - stream->begunAtMs >= m_options.requestTimeoutMs) {
            ++m_stats->requestTimeouts;
            answerEarly(*stream, QHttpServerResponder::StatusCode::RequestTimeout,
                        QStringLiteral("request not complete in time"));
        }
    }
    if (!nghttp2_session_want_read(m_session)) {
        // GOAWAY is queued: a peer that does not read it in time is not waited for.
        if (m_goawayAtMs < 0)
            m_goawayAtMs = now;
        else if (now - m_goawayAtMs >= m_options.requestTimeoutMs && m_socket)
            m_socket->abort();
        return;
    }
    if (m_streams.empty() && now - m_idleSinceMs >= m_options.requestTimeoutMs) {
        nghttp2_session_terminate_session(m_session, NGHTTP2_NO_ERROR);
        sendPending();
    }
}

void Http2Session::connectionLost()
{
    m_sweepTimer.stop();
    for (const auto &[id, stream] : m_streams) {
        if (stream->sink)
            m_closedSinks.append(stream->sink);
    }
    if (m_session) {
        nghttp2_session_del(m_session);
        m_session = nullptr;
    }
    m_streams.clear();
    afterCallbacks();
}

Http2Session::Stream *Http2Session::find(qint32 streamId)
{
    const auto found = m_streams.find(streamId);
    return found == m_streams.end() ? nullptr : found->second.get();
}
