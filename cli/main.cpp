#include "clioptions.h"
#include "commandrunner.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>

#include <unistd.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("eventsource-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ESH_VERSION));
    // The client library logs for the console; the CLI says what matters itself, one line
    // per error (QT_LOGGING_RULES still turns its categories back on).
    QLoggingCategory::setFilterRules(QStringLiteral("eventsource.client.*=false"));

    // Unbuffered: each line reaches a pipe as soon as it is written (listen prints live).
    QFile input;
    QFile output;
    QFile errors;
    input.open(STDIN_FILENO, QIODevice::ReadOnly);
    output.open(STDOUT_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered);
    errors.open(STDERR_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered);

    const CliOptions::Result parsed =
        CliOptions::parse(QCoreApplication::arguments().mid(1), QProcessEnvironment::systemEnvironment());
    if (!parsed.helpText.isEmpty()) {
        output.write(parsed.helpText.toUtf8());
        return 0;
    }
    if (parsed.versionRequested) {
        output.write("eventsource-cli " ESH_VERSION "\n");
        return 0;
    }
    if (!parsed.options) {
        QString error = parsed.error; // one line, whatever the arguments held
        error.replace(u'\n', u' ').replace(u'\r', u' ');
        errors.write(QStringLiteral("eventsource-cli: %1 (see eventsource-cli --help)\n").arg(error).toUtf8());
        return int(CommandRunner::Exit::Usage);
    }

    CommandRunner runner(*parsed.options, &input, &output, &errors);
    QObject::connect(&runner, &CommandRunner::finished, &app, [](int code) { QCoreApplication::exit(code); });
    // Queued: a command that finishes at once must not call exit() before exec() runs.
    QMetaObject::invokeMethod(&runner, &CommandRunner::start, Qt::QueuedConnection);
    return app.exec();
}
