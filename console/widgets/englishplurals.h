#pragma once

#include <QTranslator>

class QCoreApplication;

// The console's English numerus forms: a text written as tr("%n stream(s)", nullptr, n)
// reads "1 stream" and "2 streams" (Qt without a translation prints "1 stream(s)"). Qt's
// own .qm files would need an English .ts listing every such text; one rule covers them.
class EnglishPlurals final : public QTranslator
{
    Q_OBJECT

public:
    using QTranslator::QTranslator;

    // Installs one, owned by the application.
    static void install(QCoreApplication *application);

    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *sourceText, const char *disambiguation = nullptr,
                      int n = -1) const override;
};
