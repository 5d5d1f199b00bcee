#include "englishplurals.h"

#include <QCoreApplication>
#include <QTest>

using namespace Qt::StringLiterals;

// The console's English numerus forms, through QCoreApplication::translate as tr() calls it.
class tst_EnglishPlurals final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void forms_data();
    void forms();
    void withoutTranslatorQtPrintsTheMarker();

private:
    EnglishPlurals *m_translator = nullptr;
};

void tst_EnglishPlurals::initTestCase()
{
    m_translator = new EnglishPlurals(this);
    QVERIFY(QCoreApplication::installTranslator(m_translator));
}

void tst_EnglishPlurals::forms_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<int>("n");
    QTest::addColumn<QString>("expected");
    QTest::newRow("none") << u"%n stream(s)"_s << 0 << u"0 streams"_s;
    QTest::newRow("one") << u"%n stream(s)"_s << 1 << u"1 stream"_s;
    QTest::newRow("two") << u"%n stream(s)"_s << 2 << u"2 streams"_s;
    QTest::newRow("thousands") << u"%n connection(s)"_s << 15000 << u"15000 connections"_s;
    QTest::newRow("count in a sentence") << u"Pause %n stream(s)? They come back."_s << 1
                                         << u"Pause 1 stream? They come back."_s;
    QTest::newRow("two words") << u"%n event(s) in %n step(s)"_s << 1 << u"1 event in 1 step"_s;
    QTest::newRow("no marker: as written") << u"%n streams"_s << 1 << u"1 streams"_s;
    QTest::newRow("no count: as written") << u"stream(s)"_s << -1 << u"stream(s)"_s;
}

void tst_EnglishPlurals::forms()
{
    QFETCH(QString, source);
    QFETCH(int, n);
    QFETCH(QString, expected);
    const QByteArray utf8 = source.toUtf8();
    QCOMPARE(QCoreApplication::translate("Context", utf8.constData(), nullptr, n), expected);
}

void tst_EnglishPlurals::withoutTranslatorQtPrintsTheMarker()
{
    QVERIFY(QCoreApplication::removeTranslator(m_translator));
    QCOMPARE(QCoreApplication::translate("Context", "%n stream(s)", nullptr, 1), u"1 stream(s)"_s);
    QVERIFY(QCoreApplication::installTranslator(m_translator));
    QCOMPARE(QCoreApplication::translate("Context", "%n stream(s)", nullptr, 1), u"1 stream"_s);
}

QTEST_GUILESS_MAIN(tst_EnglishPlurals)
#include "tst_englishplurals.moc"
