#include "englishplurals.h"

#include <QCoreApplication>

void EnglishPlurals::install(QCoreApplication *application)
{
    QCoreApplication::installTranslator(new EnglishPlurals(application));
}

QString EnglishPlurals::translate(const char *, const char *sourceText, const char *, int n) const
{
    // n < 0: a text without a count. An empty answer leaves the text as written.
    if (n < 0 || !sourceText)
        return {};
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(QLatin1String("(s)")))
        return {};
    return text.replace(QLatin1String("(s)"), n == 1 ? QString() : QStringLiteral("s"));
}
