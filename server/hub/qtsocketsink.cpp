#include "qtsocketsink.h"

#include "socketbacklog.h"

#include <QTcpSocket>
#include <QTimer>

QtSocketSink::QtSocketSink(QTcpSocket *socket, QObject *parent)
    : StreamSink(parent)
    , m_socket(socket)
{
    QObject::disconnect(socket, &QIODevice::readyRead, nullptr, nullptr);
    socket->setReadBufferSize(4096);
    connect(socket, &QIODevice::readyRead, this, [this] { m_socket->skip(m_socket->bytesAvailable()); });
    connect(socket, &QIODevice::bytesWritten, this, [this] {
        if (m_closing && SocketBacklog::of(m_socket) == 0)
            hangUp();
        else
            Q_EMIT drained();
    });
    connect(socket, &QAbstractSocket::disconnected, this, &QtSocketSink::finish);
    connect(socket, &QObject::destroyed, this, &QtSocketSink::finish);
}

QtSocketSink::~QtSocketSink()
{
    if (m_socket)
        m_socket->disconnect(this);
}

qint64 QtSocketSink::unsent() const
{
    return m_out.size() + (m_socket ? SocketBacklog::of(m_socket) : 0);
}

void QtSocketSink::queue(const QByteArray &bytes)
{
    if (!m_finished)
        m_out += bytes;
}

void QtSocketSink::settle()
{
    if (m_finished || m_out.isEmpty() || !m_socket)
        return;
    m_socket->write(std::exchange(m_out, {}));
}

void QtSocketSink::closeWhenSent(int graceMs)
{
    if (m_finished || m_closing)
        return;
    m_closing = true;
    settle();
    if (!m_socket || SocketBacklog::of(m_socket) == 0) {
        hangUp();
        return;
    }
    QTimer::singleShot(graceMs, this, &QtSocketSink::abort);
}

void QtSocketSink::hangUp()
{
    // A TLS close_notify, then the FIN. QtHttpServer deletes the socket once it is closed.
    if (m_socket)
        m_socket->disconnectFromHost();
    finish();
}

void QtSocketSink::abort()
{
    if (m_finished)
        return;
    if (m_socket)
        m_socket->abort();
    finish();
}

void QtSocketSink::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_out.clear();
    Q_EMIT closed();
}
