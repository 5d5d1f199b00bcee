#pragma once

#include <QProcess>
#include <QStringList>

// The real eventsource-server binary on free loopback ports (port 0; the ports bound are
// read back from its "ready" line).
class ServerProcess final
{
public:
    static constexpr char adminToken[] = "test-admin-token";

    ServerProcess() = default;
    ~ServerProcess();
    Q_DISABLE_COPY_MOVE(ServerProcess)

    // Starts with loopback listeners and the test token, plus extra arguments. Waits for the
    // ready line; false (with output()) when the server did not come up.
    bool start(const QStringList &extraArguments = {},
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    // Sends SIGTERM and waits for the exit; returns the exit code (-1 on crash or timeout).
    int stop();
    void kill();

    quint16 publicPort() const { return m_publicPort; }
    quint16 adminPort() const { return m_adminPort; }
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    // Everything printed so far (stdout then stderr).
    QByteArray output();
    QProcess &process() { return m_process; }
    // A memory figure of the running server from /proc/<pid>/status in KiB ("VmRSS:",
    // "VmHWM:" for its peak), -1 if unknown.
    qint64 memoryKb(const char *field) const;

    static QString binary();

private:
    QProcess m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
    quint16 m_publicPort = 0;
    quint16 m_adminPort = 0;
};
