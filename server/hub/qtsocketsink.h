#pragma once

#include "streamsink.h"

#include <QPointer>

class QTcpSocket;

// The stream sink for a connection whose bytes Qt must transform, a TLS connection
// (QSslSocket): the stream writes through the socket, which stays Qt's. QtHttpServer stops
// reading it here (the pipelining hazard); input is read and dropped. Frames queued during a
// turn reach the socket in one write, on the owner's thread (Qt's sockets live there: send()
// only marks them), and unsent() counts what Qt has not handed to the kernel yet, encrypted
// or not, so the owner bounds it like any other sink's.
class QtSocketSink final : public StreamSink
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QtSocketSink)

public:
    explicit QtSocketSink(QTcpSocket *socket, QObject *parent = nullptr);
    ~QtSocketSink() override;

    qint64 unsent() const override;
    void queue(const QByteArray &bytes) override;
    void send() override {}
    void settle() override;
    void closeWhenSent(int graceMs) override;
    void abort() override;

private:
    void hangUp();
    void finish();

    QPointer<QTcpSocket> m_socket;
    QByteArray m_out;
    bool m_closing = false;
    bool m_finished = false;
};
