#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QSslKey>
#include <QSslConfiguration>
#include <QString>

#include <optional>

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

    // For Qt's TLS sockets (QSslSocket): TLS 1.2+, no client certificates; ALPN offers alpn.
    QSslConfiguration serverConfiguration(const QList<QByteArray> &alpn = {}) const;
    QDateTime expiresAt() const { return m_expiresAt; }
    // The leaf's subject common name, for the logs.
    QString subject() const { return m_subject; }
    const QString &certificateFile() const { return m_certificateFile; }
    const QString &keyFile() const { return m_keyFile; }

private:
    QSslKey qtKey() const;

    QByteArray m_chainPem;
    QByteArray m_keyPem; // PKCS #8, unencrypted, in memory only
    bool m_keyIsRsa = false; // otherwise ECDSA
    QDateTime m_expiresAt;
    QString m_subject;
    QString m_certificateFile;
    QString m_keyFile;
};
