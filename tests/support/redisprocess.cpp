#include "redisprocess.h"

#include <QDeadlineTimer>
#include <QTcpServer>

#include <csignal>

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace

RedisProcess::~RedisProcess()
{
    resume();
    kill();
}

bool RedisProcess::start(const QStringList &extraArguments)
{
    if (m_port == 0)
        m_port = freePort();
    if (m_port == 0 || !m_dir.isValid())
        return false;
    QStringList arguments{QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                          QStringLiteral("--port"), QString::number(m_port),
                          QStringLiteral("--dir"), m_dir.path(),
                          QStringLiteral("--save"), QString(),
                          QStringLiteral("--appendonly"), QStringLiteral("no"),
                          QStringLiteral("--daemonize"), QStringLiteral("no")};
    arguments += extraArguments;
    m_output.clear();
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.start(QStringLiteral("redis-server"), arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        m_output += m_process.readAll();
        if (m_output.contains("Ready to accept connections"))
            return true;
    }
    return false;
}

void RedisProcess::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(5000);
}

void RedisProcess::pause()
{
    if (m_process.state() == QProcess::Running)
        ::kill(pid_t(m_process.processId()), SIGSTOP);
}

void RedisProcess::resume()
{
    if (m_process.state() == QProcess::Running)
        ::kill(pid_t(m_process.processId()), SIGCONT);
}
