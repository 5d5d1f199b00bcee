#include "serverprocess.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRegularExpression>

#include <csignal>

ServerProcess::~ServerProcess()
{
    kill();
}

QString ServerProcess::binary()
{
    return QStringLiteral(ESH_SERVER_BINARY);
}

bool ServerProcess::start(const QStringList &extraArguments, const QProcessEnvironment &environment)
{
    QStringList arguments{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--admin-listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--admin-token"), QString::fromLatin1(adminToken)};
    arguments += extraArguments;
    m_process.setProcessEnvironment(environment);
    m_process.start(binary(), arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    static const QRegularExpression ready(QStringLiteral("ready public=(\\d+) admin=(\\d+)"));
    const QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        m_stdout += m_process.readAllStandardOutput();
        const QRegularExpressionMatch match = ready.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            m_publicPort = quint16(match.captured(1).toUInt());
            m_adminPort = quint16(match.captured(2).toUInt());
            return true;
        }
    }
    return false;
}

int ServerProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!m_process.waitForFinished(15000)) {
        kill();
        return -1;
    }
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

void ServerProcess::kill()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QByteArray ServerProcess::output()
{
    m_stdout += m_process.readAllStandardOutput();
    m_stderr += m_process.readAllStandardError();
    return m_stdout + m_stderr;
}

qint64 ServerProcess::memoryKb(const char *field) const
{
    QFile status(QStringLiteral("/proc/%1/status").arg(m_process.processId()));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qstrlen(field)).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
