#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

class TlsContext;

// A listener's certificate chain and private key, read from PEM files and checked with
// OpenSSL before anything listens: the chain parses (leaf first, intermediates after), the key
// is not encrypted (a server cannot ask for a passphrase) and belongs to the leaf. Serves TLS
// 1.2 and later only. Loaded again on SIGHUP: a renewal that fails to load keeps the old one.
class TlsCredentials final
{
public:
    // Nullopt, with *error saying what is wrong and with which file, when they cannot be used.
    static std::optional<TlsCredentials> load(const QString &certificateFile, const QString &keyFile,
                                              QString *error);

    // The OpenSSL context a listener serves these with; ALPN offers alpn, in that order.
    // Null when OpenSSL refuses them after all (out of memory).
    std::shared_ptr<const TlsContext> serverContext(const QList<QByteArray> &alpn = {}) const;
    QDateTime expiresAt() const { return m_expiresAt; }
    // The leaf's subject common name, for the logs.
    QString subject() const { return m_subject; }
    const QString &certificateFile() const { return m_certificateFile; }
    const QString &keyFile() const { return m_keyFile; }

private:
    QByteArray m_chainPem;
    QByteArray m_keyPem; // PKCS #8, unencrypted, in memory only
    QDateTime m_expiresAt;
    QString m_subject;
    QString m_certificateFile;
    QString m_keyFile;
};
