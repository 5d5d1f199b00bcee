#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

// A redis-server of its own (Debian's package) on a free loopback port, with its files in a
// temporary dir; restartable on the same port and dir. No persistence unless asked for.
class RedisProcess final
{
public:
    RedisProcess() = default;
    ~RedisProcess();
    Q_DISABLE_COPY_MOVE(RedisProcess)

    // Starts it (on the port of the last start, if any) with extra configuration arguments
    // such as {"--requirepass", "x"} or {"--appendonly", "yes"}; false (with output()) if it
    // did not come up.
    bool start(const QStringList &extraArguments = {});
    void kill();
    // SIGSTOP and SIGCONT: a Redis that stops answering without closing its connections.
    void pause();
    void resume();
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    quint16 port() const { return m_port; }
    QString url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }
    QByteArray output() const { return m_output; }

private:
    QProcess m_process;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    QByteArray m_output;
};
