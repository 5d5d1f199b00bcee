#include "clienttls.h"
#include "englishplurals.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QProcessEnvironment>
#include <QTextStream>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("EventSource Hub"));
    QApplication::setApplicationName(QStringLiteral("eventsource-console"));
    QApplication::setApplicationVersion(QStringLiteral(ESH_VERSION));
    EnglishPlurals::install(&app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "EventSource Hub operator's console. Without --admin-url and --admin-token (or\n"
        "EVENTSOURCE_ADMIN_URL and EVENTSOURCE_ADMIN_TOKEN) it asks where to connect."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption url(QStringLiteral("admin-url"), QStringLiteral("Admin listener, e.g. http://127.0.0.1:8081."),
                                 QStringLiteral("URL"));
    const QCommandLineOption token(QStringLiteral("admin-token"), QStringLiteral("Admin token."), QStringLiteral("TOKEN"));
    const QCommandLineOption caFile(QStringLiteral("ca-file"),
                                    QStringLiteral("Also trust the PEM CA certificate(s) in FILE for https:// and wss:// "
                                                   "(a self-signed or private CA)."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption insecure(QStringLiteral("insecure"),
                                      QStringLiteral("Do not check server certificates: anyone on the way can read and "
                                                     "change the traffic, the admin token too. For test benches only."));
    parser.addOptions({url, token, caFile, insecure});
    parser.process(app);

    // Every connection the console makes (the control channel, the test client) uses it.
    QString tlsError;
    const std::optional<QSslConfiguration> tls =
        ClientTls{parser.value(caFile), parser.isSet(insecure)}.configuration(&tlsError);
    if (!tls) {
        QTextStream(stderr) << "eventsource-console: --ca-file " << tlsError << Qt::endl;
        return 2;
    }
    QSslConfiguration::setDefaultConfiguration(*tls);

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const QString adminUrl = parser.isSet(url) ? parser.value(url) : environment.value(QStringLiteral("EVENTSOURCE_ADMIN_URL"));
    const QString adminToken = parser.isSet(token) ? parser.value(token)
                                                   : environment.value(QStringLiteral("EVENTSOURCE_ADMIN_TOKEN"));
    MainWindow window;
    window.resize(1100, 700);
    window.show();
    if (!adminUrl.isEmpty() && !adminToken.isEmpty())
        window.connectTo(QUrl::fromUserInput(adminUrl), adminToken);
    else
        window.showConnectDialog();
    return app.exec();
}
