#include "tlssession.h"

#include "tlscontext.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

// The BIO under each session: reads the input given to the current call, writes to its
// output buffer. Nothing is held inside the BIO itself.
struct TlsSessionBio final
{
    static BIO_METHOD *method()
    {
        static BIO_METHOD *const made = [] {
            BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "eventsource buffer");
            BIO_meth_set_write_ex(m, &TlsSessionBio::write);
            BIO_meth_set_read_ex(m, &TlsSessionBio::read);
            BIO_meth_set_ctrl(m, &TlsSessionBio::control);
            BIO_meth_set_create(m, [](BIO *bio) {
                BIO_set_init(bio, 1);
                return 1;
            });
            return m;
        }();
        return made;
    }

    static TlsSession::Buffers *buffers(BIO *bio) { return static_cast<TlsSession::Buffers *>(BIO_get_data(bio)); }

    static int write(BIO *bio, const char *data, size_t size, size_t *written)
    {
        TlsSession::Buffers *b = buffers(bio);
        BIO_clear_retry_flags(bio);
        if (!b->output)
            return 0;
        b->output->append(data, qsizetype(size));
        *written = size;
        return 1;
    }

    static int read(BIO *bio, char *data, size_t size, size_t *got)
    {
        TlsSession::Buffers *b = buffers(bio);
        BIO_clear_retry_flags(bio);
        if (b->input.isEmpty()) {
            BIO_set_retry_read(bio);
            return 0;
        }
        const size_t n = std::min(size, size_t(b->input.size()));
        std::memcpy(data, b->input.data(), n);
        b->input = b->input.sliced(qsizetype(n));
        *got = n;
        return 1;
    }

    static long control(BIO *, int command, long, void *)
    {
        // Flushing is a no-op: the caller sends the output buffer.
        return command == BIO_CTRL_FLUSH ? 1 : 0;
    }
};

TlsSession::TlsSession(std::shared_ptr<const TlsContext> context)
    : m_context(std::move(context))
    , m_ssl(m_context->newSession())
{
    if (!m_ssl)
        return;
    BIO *bio = BIO_new(TlsSessionBio::method());
    if (!bio) {
        SSL_free(m_ssl);
        m_ssl = nullptr;
        return;
    }
    BIO_set_data(bio, &m_buffers);
    // One BIO both ways: SSL_set_bio takes over its one reference.
    SSL_set_bio(m_ssl, bio, bio);
    SSL_set_accept_state(m_ssl);
}

TlsSession::~TlsSession()
{
    SSL_free(m_ssl);
}

bool TlsSession::receive(QByteArrayView bytes, QByteArray *plain, QByteArray *cipher)
{
    if (!m_ssl || !m_error.isEmpty())
        return false;
    // OpenSSL's error queue is per thread: what others left there is not ours.
    ERR_clear_error();
    m_buffers = {bytes, cipher};
    bool ok = true;
    if (!m_established) {
        const int result = SSL_do_handshake(m_ssl);
        if (result == 1)
            m_established = true;
        else
            ok = fail(result);
    }
    char chunk[16 * 1024];
    while (ok && m_established && !m_peerClosed) {
        size_t got = 0;
        const int result = SSL_read_ex(m_ssl, chunk, sizeof chunk, &got);
        if (result == 1) {
            plain->append(chunk, qsizetype(got));
            continue;
        }
        if (SSL_get_error(m_ssl, result) == SSL_ERROR_ZERO_RETURN) {
            m_peerClosed = true;
            break;
        }
        ok = fail(result);
        if (ok)
            break; // wants more input
    }
    m_buffers = {};
    return ok;
}

bool TlsSession::encrypt(QByteArrayView plain, QByteArray *cipher)
{
    if (!m_ssl || !m_established || !m_error.isEmpty())
        return false;
    ERR_clear_error();
    m_buffers = {{}, cipher};
    while (!plain.isEmpty()) {
        size_t written = 0;
        const int result = SSL_write_ex(m_ssl, plain.data(), size_t(plain.size()), &written);
        if (result != 1) {
            // The output buffer takes everything: nothing to wait for, only an error.
            fail(result);
            if (m_error.isEmpty())
                m_error = QStringLiteral("cannot encrypt");
            m_buffers = {};
            return false;
        }
        plain = plain.sliced(qsizetype(written));
    }
    m_buffers = {};
    return true;
}

void TlsSession::close(QByteArray *cipher)
{
    if (!m_ssl || !m_established)
        return;
    m_buffers = {{}, cipher};
    SSL_shutdown(m_ssl);
    ERR_clear_error();
    m_buffers = {};
}

QByteArray TlsSession::protocol() const
{
    const unsigned char *name = nullptr;
    unsigned int length = 0;
    if (m_ssl)
        SSL_get0_alpn_selected(m_ssl, &name, &length);
    return QByteArray(reinterpret_cast<const char *>(name), qsizetype(length));
}

bool TlsSession::fail(int result)
{
    const int code = SSL_get_error(m_ssl, result);
    if (code == SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return true;
    }
    const unsigned long first = ERR_peek_error();
    char text[256] = "connection broken";
    if (first != 0)
        ERR_error_string_n(first, text, sizeof text);
    m_error = QString::fromLatin1(text);
    ERR_clear_error();
    return false;
}
