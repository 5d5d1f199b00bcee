#include "socketbytestream.h"

#include <QTcpSocket>

SocketByteStream::SocketByteStream(QTcpSocket *socket)
    : ByteStream(socket)
    , m_socket(socket)
{
    socket->setReadBufferSize(64 * 1024);
    connect(socket, &QIODevice::readyRead, this, &ByteStream::readyRead);
    connect(socket, &QIODevice::bytesWritten, this, &ByteStream::bytesWritten);
    connect(socket, &QAbstractSocket::disconnected, this, &ByteStream::disconnected);
}

QHostAddress SocketByteStream::peerAddress() const
{
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

QByteArray SocketByteStream::readAll()
{
    return m_socket ? m_socket->readAll() : QByteArray();
}

void SocketByteStream::write(const QByteArray &bytes)
{
    if (!m_socket)
        return;
    m_socket->write(bytes);
    m_socket->flush();
}

qint64 SocketByteStream::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void SocketByteStream::close()
{
    if (m_socket)
        m_socket->disconnectFromHost();
}

void SocketByteStream::abort()
{
    if (m_socket)
        m_socket->abort();
}
