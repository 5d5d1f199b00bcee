#include "tlscredentials.h"

#include "tlscontext.h"

#include <QFile>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

namespace {

constexpr qint64 maxPemBytes = 1024 * 1024;

template<typename T, void (*Free)(T *)>
struct Freer
{
    void operator()(T *p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using Certificate = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;

std::optional<QByteArray> readFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QByteArray bytes = file.read(maxPemBytes + 1);
    if (bytes.size() > maxPemBytes) {
        *error = QStringLiteral("%1: larger than 1 MiB, not a PEM file").arg(path);
        return std::nullopt;
    }
    return bytes;
}

Bio memoryBio(const QByteArray &bytes)
{
    return Bio(BIO_new_mem_buf(bytes.constData(), int(bytes.size())));
}

// What was written into a memory BIO.
QByteArray contents(const Bio &bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(size));
}

QString opensslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("no PEM data found");
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return QString::fromLatin1(text);
}

std::vector<Certificate> readChain(const QByteArray &pem)
{
    std::vector<Certificate> chain;
    const Bio bio = memoryBio(pem);
    while (X509 *certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        chain.emplace_back(certificate);
    ERR_clear_error(); // the end of the file reads as an error
    return chain;
}

QDateTime asDateTime(const ASN1_TIME *time)
{
    tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1)
        return {};
    return QDateTime(QDate(parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday),
                     QTime(parts.tm_hour, parts.tm_min, parts.tm_sec), Qt::UTC);
}

} // namespace

std::optional<TlsCredentials> TlsCredentials::load(const QString &certificateFile, const QString &keyFile,
                                                   QString *error)
{
    ERR_clear_error();
    const std::optional<QByteArray> chainPem = readFile(certificateFile, error);
    if (!chainPem)
        return std::nullopt;
    const std::optional<QByteArray> keyPem = readFile(keyFile, error);
    if (!keyPem)
        return std::nullopt;

    const std::vector<Certificate> chain = readChain(*chainPem);
    if (chain.empty()) {
        *error = QStringLiteral("%1: no PEM certificate (-----BEGIN CERTIFICATE-----)").arg(certificateFile);
        return std::nullopt;
    }

    if (keyPem->contains("ENCRYPTED")) {
        *error = QStringLiteral("%1: the private key is encrypted, and a server cannot ask for its "
                                "passphrase: store it decrypted (openssl pkey -in KEY -out PLAIN), "
                                "readable only by the server's user").arg(keyFile);
        return std::nullopt;
    }
    const Bio keyBio = memoryBio(*keyPem);
    // An empty passphrase: a key that still wants one fails instead of prompting on a tty.
    const Key key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, const_cast<char *>("")));
    if (!key) {
        *error = QStringLiteral("%1: no usable PEM private key (%2)").arg(keyFile, opensslError());
        return std::nullopt;
    }
    switch (EVP_PKEY_base_id(key.get())) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_EC:
        break;
    default:
        *error = QStringLiteral("%1: only RSA and ECDSA keys are supported").arg(keyFile);
        return std::nullopt;
    }
    if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
        ERR_clear_error();
        *error = QStringLiteral("%1 does not belong to the first certificate of %2 (the chain must "
                                "start with the server's own certificate)").arg(keyFile, certificateFile);
        return std::nullopt;
    }

    TlsCredentials credentials;
    const Bio chainOut(BIO_new(BIO_s_mem()));
    for (const Certificate &certificate : chain)
        PEM_write_bio_X509(chainOut.get(), certificate.get());
    credentials.m_chainPem = contents(chainOut);
    const Bio keyOut(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    credentials.m_keyPem = contents(keyOut);
    credentials.m_expiresAt = asDateTime(X509_get0_notAfter(chain.front().get()));
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(chain.front().get()), NID_commonName, name, sizeof name);
    credentials.m_subject = QString::fromUtf8(name);
    credentials.m_certificateFile = certificateFile;
    credentials.m_keyFile = keyFile;

    return credentials;
}

std::shared_ptr<const TlsContext> TlsCredentials::serverContext(const QList<QByteArray> &alpn) const
{
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (!context)
        return nullptr;
    auto made = std::make_shared<const TlsContext>(context, alpn);
    // Checked by load(): these only fail without memory.
    std::vector<Certificate> chain = readChain(m_chainPem);
    const Bio keyBio = memoryBio(m_keyPem);
    const Key key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    if (chain.empty() || !key || SSL_CTX_use_certificate(context, chain.front().get()) != 1
        || SSL_CTX_use_PrivateKey(context, key.get()) != 1) {
        ERR_clear_error();
        return nullptr;
    }
    for (size_t i = 1; i < chain.size(); ++i) {
        // The context takes this reference.
        if (SSL_CTX_add1_chain_cert(context, chain[i].get()) != 1) {
            ERR_clear_error();
            return nullptr;
        }
    }
    return made;
}
