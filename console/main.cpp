#include "clienttls.h"
#include "englishplurals.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QProcessEnvironment>
#include <QTextStream>

#include <cstring>

namespace {

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("EventSource Hub"));
    QCoreApplication::setApplicationName(QStringLiteral("eventsource-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ESH_VERSION));
}

struct Options final
{
    explicit Options(QCommandLineParser &parser)
    {
        parser.setApplicationDescription(QStringLiteral(
            "EventSource Hub operator's console. Without --admin-url and --admin-token (or\n"
            "EVENTSOURCE_ADMIN_URL and EVENTSOURCE_ADMIN_TOKEN) it asks where to connect."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({url, token, caFile, insecure});
    }

    const QCommandLineOption url{QStringLiteral("admin-url"), QStringLiteral("Admin listener, e.g. http://127.0.0.1:8081."),
                                 QStringLiteral("URL")};
    const QCommandLineOption token{QStringLiteral("admin-token"), QStringLiteral("Admin token."), QStringLiteral("TOKEN")};
    const QCommandLineOption caFile{QStringLiteral("ca-file"),
                                    QStringLiteral("Also trust the PEM CA certificate(s) in FILE for https:// and wss:// "
                                                   "(a self-signed or private CA)."),
                                    QStringLiteral("FILE")};
    const QCommandLineOption insecure{QStringLiteral("insecure"),
                                      QStringLiteral("Do not check server certificates: anyone on the way can read and "
                                                     "change the traffic, the admin token too. For test benches only.")};
};

// --help and --version answer without a display (over ssh, for the man page): a
// QCoreApplication handles them before any window system is touched.
void answerHelpOrVersion(int argc, char *argv[])
{
    bool asked = false;
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "-?", "-v", "--version"})
            asked = asked || std::strcmp(argv[i], flag) == 0;
    }
    if (!asked)
        return;
    QCoreApplication app(argc, argv);
    setIdentity();
    QCommandLineParser parser;
    const Options options(parser);
    parser.process(app); // prints and exits, or reports a bad option and exits
}

} // namespace

int main(int argc, char *argv[])
{
    answerHelpOrVersion(argc, argv);
    QApplication app(argc, argv);
    setIdentity();
    EnglishPlurals::install(&app);

    QCommandLineParser parser;
    const Options options(parser);
    parser.process(app);

    // Every connection the console makes (the control channel, the test client) uses it.
    QString tlsError;
    const std::optional<QSslConfiguration> tls =
        ClientTls{parser.value(options.caFile), parser.isSet(options.insecure)}.configuration(&tlsError);
    if (!tls) {
        QTextStream(stderr) << "eventsource-console: --ca-file " << tlsError << Qt::endl;
        return 2;
    }
    QSslConfiguration::setDefaultConfiguration(*tls);

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    const QString adminUrl = parser.isSet(options.url) ? parser.value(options.url)
                                                       : environment.value(QStringLiteral("EVENTSOURCE_ADMIN_URL"));
    const QString adminToken = parser.isSet(options.token) ? parser.value(options.token)
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
