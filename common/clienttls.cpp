#include "clienttls.h"

#include <QSslCertificate>
#include <QSslSocket>

std::optional<QSslConfiguration> ClientTls::configuration(QString *error) const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    if (!caFile.isEmpty()) {
        const QList<QSslCertificate> authorities = QSslCertificate::fromPath(caFile, QSsl::Pem);
        if (authorities.isEmpty()) {
            *error = QStringLiteral("%1: no PEM certificate (or not readable)").arg(caFile);
            return std::nullopt;
        }
        configuration.addCaCertificates(authorities);
    }
    if (insecure)
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return configuration;
}
