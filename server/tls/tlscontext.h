#pragma once

#include <QByteArray>
#include <QList>

#include <memory>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

// One listener's OpenSSL server context (TlsCredentials::serverContext() makes it): its
// certificate chain and key, TLS 1.2 and later, no client certificates, no renegotiation,
// no session cache (TLS tickets resume without server memory), record buffers released while
// idle. ALPN picks the first of the listener's protocols the client offers; a client that
// offers none of them goes on without ALPN, which is HTTP/1.1. A certificate reload makes a
// new context: every session holds a reference to the one it started on.
class TlsContext final
{
    Q_DISABLE_COPY_MOVE(TlsContext)

public:
    // Takes ownership of context; alpn in order of preference.
    TlsContext(SSL_CTX *context, const QList<QByteArray> &alpn);
    ~TlsContext();

    // A new server-side session on this context, or null when OpenSSL has no memory left.
    SSL *newSession() const;

private:
    static int selectProtocol(SSL *ssl, const unsigned char **out, unsigned char *outLength,
                              const unsigned char *offered, unsigned int offeredLength, void *self);

    SSL_CTX *m_context;
    QByteArray m_alpn; // wire format: length-prefixed names
};
