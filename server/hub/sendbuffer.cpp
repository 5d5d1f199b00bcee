#include "sendbuffer.h"

#include <cerrno>

#include <sys/socket.h>

void SendBuffer::append(const QByteArray &bytes)
{
    if (isEmpty()) {
        m_bytes = bytes;
        m_sent = 0;
        return;
    }
    tail()->append(bytes);
}

QByteArray *SendBuffer::tail()
{
    m_bytes.remove(0, m_sent);
    m_sent = 0;
    return &m_bytes;
}

QByteArray SendBuffer::take()
{
    QByteArray left = std::move(*tail());
    clear();
    return left;
}

void SendBuffer::clear()
{
    m_bytes.clear();
    m_sent = 0;
}

SendBuffer::Result SendBuffer::sendTo(int descriptor, int *error)
{
    while (!isEmpty()) {
        const ssize_t sent = ::send(descriptor, m_bytes.constData() + m_sent, size_t(size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            m_sent += sent;
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return Result::Full;
        if (error)
            *error = sent < 0 ? errno : EPIPE;
        return Result::Failed;
    }
    clear();
    return Result::Sent;
}
