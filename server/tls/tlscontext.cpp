#include "tlscontext.h"

#include <openssl/ssl.h>

TlsContext::TlsContext(SSL_CTX *context, const QList<QByteArray> &alpn)
    : m_context(context)
{
    for (const QByteArray &protocol : alpn)
        m_alpn += char(protocol.size()) + protocol;
    SSL_CTX_set_min_proto_version(m_context, TLS1_2_VERSION);
    SSL_CTX_set_options(m_context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(m_context, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify(m_context, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_session_cache_mode(m_context, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(m_context, 1);
    if (!m_alpn.isEmpty())
        SSL_CTX_set_alpn_select_cb(m_context, &TlsContext::selectProtocol, this);
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_context);
}

SSL *TlsContext::newSession() const
{
    return SSL_new(m_context);
}

int TlsContext::selectProtocol(SSL *, const unsigned char **out, unsigned char *outLength,
                               const unsigned char *offered, unsigned int offeredLength, void *self)
{
    const QByteArray &ours = static_cast<const TlsContext *>(self)->m_alpn;
    unsigned char *chosen = nullptr;
    // Our list first: the first of ours the client offers wins.
    if (SSL_select_next_proto(&chosen, outLength, reinterpret_cast<const unsigned char *>(ours.constData()),
                              unsigned(ours.size()), offered, offeredLength) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}
