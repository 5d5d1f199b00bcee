#pragma once

#include <QByteArray>

// Bytes waiting for a non-blocking descriptor: sent from the front, what the kernel does not
// take kept for the next try. Appending to an empty buffer shares the caller's bytes (a
// broadcast keeps one buffer for all its streams). Plain data: a send thread may use it
// while the owner's thread waits.
class SendBuffer final
{
public:
    enum class Result {
        Sent,  // nothing left
        Full,  // the kernel took what it could; the rest waits
        Failed // the descriptor refused (errno in *error): the connection is over
    };

    qsizetype size() const { return m_bytes.size() - m_sent; }
    bool isEmpty() const { return size() == 0; }

    void append(const QByteArray &bytes);
    // The buffer to append to in place (an encryptor's output), what was sent dropped first.
    QByteArray *tail();
    // What is left, and the buffer empty.
    QByteArray take();
    void clear();

    // send() until everything is sent, the kernel is full, or it fails.
    Result sendTo(int descriptor, int *error = nullptr);

private:
    QByteArray m_bytes;
    qsizetype m_sent = 0;
};
