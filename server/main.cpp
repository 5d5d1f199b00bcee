#include "configloader.h"
#include "epolleventdispatcher.h"
#include "passwordhash.h"
#include "serverapp.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>
#include <sys/resource.h>
#include <sys/stat.h>

namespace {

// Every stream is a descriptor: take the whole hard limit.
void raiseFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    // The glib dispatcher makes broadcasts super-linear (QT64-NOTES.md): it must be off
    // before the application object exists.
    qputenv("QT_NO_GLIB", "1");
    // And the main thread runs on epoll: Qt's poll()-based loop costs O(streams) a turn.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventsource-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ESH_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    const ConfigLoader::Result loaded =
        ConfigLoader::load(QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    if (!loaded.helpText.isEmpty()) {
        out << loaded.helpText;
        return 0;
    }
    if (loaded.versionRequested) {
        out << "eventsource-server " << ESH_VERSION << Qt::endl;
        return 0;
    }
    if (loaded.hashPasswordRequested) {
        const QString password = QTextStream(stdin).readLine();
        if (password.isEmpty()) {
            err << "eventsource-server: --hash-password reads a non-empty password on stdin" << Qt::endl;
            return 2;
        }
        out << PasswordHash::create(password) << Qt::endl;
        return 0;
    }
    if (!loaded.config) {
        err << "eventsource-server: " << loaded.error << Qt::endl;
        return 2;
    }
    raiseFileLimit();
    // Whatever the server creates (history, its WAL and shared-memory files, the admin
    // token) is for its own user only, from the moment it exists.
    ::umask(077);

    ServerApp server(*loaded.config);
    if (const QString error = server.start(); !error.isEmpty()) {
        err << "eventsource-server: " << error << Qt::endl;
        return 1;
    }
    if (server.adminTokenGenerated())
        out << "eventsource-server admin-token=" << server.adminToken() << Qt::endl;
    // One line tools wait for: the ports actually bound (port 0 picks a free one).
    out << "eventsource-server ready public=" << server.publicPort()
        << " admin=" << server.adminPort() << Qt::endl;

    SignalWatcher signals_;
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &server, &ServerApp::stop);
    QObject::connect(&signals_, &SignalWatcher::reloadRequested, &server, &ServerApp::reload);
    QObject::connect(&server, &ServerApp::stopped, &app, &QCoreApplication::quit);
    // A configuration error found only once running (a node id in use): exit code 2.
    QObject::connect(&server, &ServerApp::failed, &app, [&err](const QString &error) {
        err << "eventsource-server: " << error << Qt::endl;
        QCoreApplication::exit(2);
    });
    return app.exec();
}
