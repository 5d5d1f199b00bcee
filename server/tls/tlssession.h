#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>

class TlsContext;
typedef struct ssl_st SSL;

// The server side of one TLS connection, without a socket: bytes from the client go in
// (receive()), bytes for the client come out into a buffer the caller sends. Its BIOs read
// from and write to the caller's buffers directly, so nothing is copied twice and nothing is
// kept between calls but OpenSSL's own state. Used on one thread at a time; encrypt() may run
// on a send thread while the owner's thread waits (FlushPool).
class TlsSession final
{
    Q_DISABLE_COPY_MOVE(TlsSession)

public:
    explicit TlsSession(std::shared_ptr<const TlsContext> context);
    ~TlsSession();

    // False when OpenSSL could not make the session (out of memory).
    bool isValid() const { return m_ssl != nullptr; }
    // Takes what the client sent: handshake messages, then records. Appends what they
    // decrypt to to *plain, and what the session answers (the rest of the handshake, session
    // tickets, alerts) to *cipher. False once the client broke the protocol or failed the
    // handshake (error() says why; *cipher may hold the alert to send).
    bool receive(QByteArrayView bytes, QByteArray *plain, QByteArray *cipher);
    // Appends plain, encrypted, to *cipher. Only once established.
    bool encrypt(QByteArrayView plain, QByteArray *cipher);
    // Appends a close_notify alert to *cipher.
    void close(QByteArray *cipher);

    bool isEstablished() const { return m_established; }
    // The client sent its close_notify.
    bool peerClosed() const { return m_peerClosed; }
    // What ALPN chose ("h2", "http/1.1"), empty without ALPN.
    QByteArray protocol() const;
    QString error() const { return m_error; }

private:
    bool fail(int result);

    std::shared_ptr<const TlsContext> m_context; // the ALPN callback's, while the session lives
    SSL *m_ssl = nullptr;
    // What the BIOs read and write during one call.
    struct Buffers
    {
        QByteArrayView input;
        QByteArray *output = nullptr;
    } m_buffers;
    bool m_established = false;
    bool m_peerClosed = false;
    QString m_error;

    friend struct TlsSessionBio;
};
