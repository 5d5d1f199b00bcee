#include "testcertificate.h"

#include <QProcess>

using namespace Qt::StringLiterals;

bool TestCertificate::openssl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(u"openssl"_s, arguments);
    return process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
}

bool TestCertificate::make(const QString &dir, const QString &name, const QString &commonName)
{
    return openssl(dir, {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                         u"-nodes"_s, u"-keyout"_s, name + u".key"_s, u"-out"_s, name + u".crt"_s, u"-days"_s, u"2"_s,
                         u"-subj"_s, u"/CN="_s + commonName,
                         u"-addext"_s, u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s});
}
