#pragma once

#include <QByteArray>
#include <QObject>

// Where one event stream's bytes go, after the HTTP layer has queued its response head: a
// plain TCP connection today (StreamSocket), a TLS connection or an HTTP/2 stream later.
// The stream queues frames, hands them on in one send() per flush and bounds what the sink
// could not pass on yet (unsent()). send() may run on a helper thread and touches nothing
// but the sink; everything else, and every signal, is on the owner's thread.
class StreamSink : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StreamSink)

public:
    using QObject::QObject;
    ~StreamSink() override = default;

    // Queued bytes not yet passed on.
    virtual qint64 unsent() const = 0;
    virtual void queue(const QByteArray &bytes) = 0;
    virtual void send() = 0;
    // After send(), on the owner's thread: waits for room for what is left, or closes the
    // sink if the send failed.
    virtual void settle() = 0;
    // Closes once everything queued is passed on, or after graceMs at the latest.
    virtual void closeWhenSent(int graceMs) = 0;
    // Closes now; what is still queued is dropped.
    virtual void abort() = 0;

Q_SIGNALS:
    // The stream is over: the peer went away, a send failed, or it was closed here. Once.
    void closed();
    // Some of what was waiting has been passed on (unsent() went down).
    void drained();
};
