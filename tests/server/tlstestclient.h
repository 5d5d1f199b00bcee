#pragma once

#include "testcertificate.h"
#include "tlscontext.h"
#include "tlscredentials.h"
#include "tlssession.h"

#include <QByteArray>
#include <QList>
#include <QTemporaryDir>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>

// The client side of a TLS connection for unit tests, on OpenSSL memory BIOs: it exchanges
// bytes with a TlsSession through buffers, with no socket. Also makes the server context
// from a certificate made with the openssl command.
class TlsTestClient final
{
    Q_DISABLE_COPY_MOVE(TlsTestClient)

public:
    // Null when the certificate cannot be made.
    static std::shared_ptr<const TlsContext> serverContext(const QTemporaryDir &dir, const QList<QByteArray> &alpn)
    {
        if (!TestCertificate::make(dir.path(), QStringLiteral("server")))
            return nullptr;
        QString error;
        const std::optional<TlsCredentials> credentials =
            TlsCredentials::load(dir.filePath(QStringLiteral("server.crt")), dir.filePath(QStringLiteral("server.key")), &error);
        return credentials ? credentials->serverContext(alpn) : nullptr;
    }

    // alpn: the protocols offered, in wire format ("\x02h2\x08http/1.1"); maxVersion 0: any.
    explicit TlsTestClient(const QByteArray &alpn = {}, int maxVersion = 0)
        : m_context(SSL_CTX_new(TLS_client_method()))
    {
        SSL_CTX_set_verify(m_context, SSL_VERIFY_NONE, nullptr);
        if (maxVersion)
            SSL_CTX_set_max_proto_version(m_context, maxVersion);
        m_ssl = SSL_new(m_context);
        SSL_set_bio(m_ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
        SSL_set_connect_state(m_ssl);
        if (!alpn.isEmpty())
            SSL_set_alpn_protos(m_ssl, reinterpret_cast<const unsigned char *>(alpn.constData()), unsigned(alpn.size()));
    }
    ~TlsTestClient()
    {
        SSL_free(m_ssl);
        SSL_CTX_free(m_context);
    }

    // Runs the handshake against server; false when either side gives up.
    bool handshake(TlsSession &server)
    {
        for (int round = 0; round < 10; ++round) {
            const int done = SSL_do_handshake(m_ssl);
            const int error = SSL_get_error(m_ssl, done);
            QByteArray plain;
            QByteArray answer;
            if (!server.receive(takeOutput(), &plain, &answer))
                return false;
            give(answer);
            if (done == 1 && server.isEstablished())
                return true;
            if (done != 1 && error != SSL_ERROR_WANT_READ) {
                ERR_clear_error();
                return false;
            }
        }
        return false;
    }

    // What the client has to send (records, alerts).
    QByteArray takeOutput()
    {
        QByteArray out;
        char chunk[16384];
        int n;
        while ((n = BIO_read(SSL_get_wbio(m_ssl), chunk, sizeof chunk)) > 0)
            out.append(chunk, n);
        return out;
    }
    // Bytes from the server.
    void give(const QByteArray &cipher)
    {
        if (!cipher.isEmpty())
            BIO_write(SSL_get_rbio(m_ssl), cipher.constData(), int(cipher.size()));
    }
    QByteArray encrypt(const QByteArray &plain)
    {
        SSL_write(m_ssl, plain.constData(), int(plain.size()));
        return takeOutput();
    }
    // Decrypts what the server sent; *closed once its close_notify came.
    QByteArray decrypt(const QByteArray &cipher, bool *closed = nullptr)
    {
        give(cipher);
        QByteArray plain;
        char chunk[16384];
        int n;
        while ((n = SSL_read(m_ssl, chunk, sizeof chunk)) > 0)
            plain.append(chunk, n);
        const int error = SSL_get_error(m_ssl, n);
        if (closed)
            *closed = error == SSL_ERROR_ZERO_RETURN;
        ERR_clear_error();
        return plain;
    }
    QByteArray closeNotify()
    {
        SSL_shutdown(m_ssl);
        return takeOutput();
    }
    QByteArray version() const { return SSL_get_version(m_ssl); }

private:
    SSL_CTX *m_context;
    SSL *m_ssl = nullptr;
};
