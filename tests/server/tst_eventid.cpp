#include "eventid.h"

#include <limits>

#include <QTest>

class tst_EventId final : public QObject
{
    Q_OBJECT

private slots:
    void format_data();
    void format();
    void parse_data();
    void parse();
    void roundTrip_data();
    void roundTrip();
    void refused_data();
    void refused();
    void newEpochIsValid();
};

void tst_EventId::format_data()
{
    QTest::addColumn<QByteArray>("epoch");
    QTest::addColumn<quint64>("seq");
    QTest::addColumn<QByteArray>("text");

    QTest::addRow("seq zero") << QByteArray("abc") << quint64(0) << QByteArray("abc-0");
    QTest::addRow("small seq") << QByteArray("lq3k9x") << quint64(42) << QByteArray("lq3k9x-42");
    QTest::addRow("largest seq") << QByteArray("z") << std::numeric_limits<quint64>::max()
                                 << QByteArray("z-18446744073709551615");
}

void tst_EventId::format()
{
    QFETCH(QByteArray, epoch);
    QFETCH(quint64, seq);
    QFETCH(QByteArray, text);

    QCOMPARE((EventId{epoch, seq}.toByteArray()), text);
}

void tst_EventId::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("epoch");
    QTest::addColumn<quint64>("seq");

    QTest::addRow("letters and digits") << QByteArray("lq3k9x-7") << QByteArray("lq3k9x") << quint64(7);
    QTest::addRow("one-character epoch") << QByteArray("a-1") << QByteArray("a") << quint64(1);
    QTest::addRow("digit-only epoch") << QByteArray("123-456") << QByteArray("123") << quint64(456);
    QTest::addRow("seq zero") << QByteArray("abc-0") << QByteArray("abc") << quint64(0);
    QTest::addRow("leading zeros in seq") << QByteArray("abc-007") << QByteArray("abc") << quint64(7);
    QTest::addRow("largest seq") << QByteArray("abc-18446744073709551615") << QByteArray("abc")
                                 << std::numeric_limits<quint64>::max();
    QTest::addRow("exactly 64 characters") << QByteArray(62, 'e') + "-1" << QByteArray(62, 'e')
                                           << quint64(1);
}

void tst_EventId::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, epoch);
    QFETCH(quint64, seq);

    const std::optional<EventId> id = EventId::parse(text);
    QVERIFY(id);
    QCOMPARE(id->epoch, epoch);
    QCOMPARE(id->seq, seq);
}

void tst_EventId::roundTrip_data()
{
    QTest::addColumn<QByteArray>("epoch");
    QTest::addColumn<quint64>("seq");

    QTest::addRow("seq zero") << QByteArray("lq3k9x") << quint64(0);
    QTest::addRow("seq one") << QByteArray("lq3k9x") << quint64(1);
    QTest::addRow("large seq") << QByteArray("0") << (quint64(1) << 40);
    QTest::addRow("largest seq") << QByteArray("zz") << std::numeric_limits<quint64>::max();
    QTest::addRow("fresh epoch") << EventId::newEpoch() << quint64(123456789);
}

void tst_EventId::roundTrip()
{
    QFETCH(QByteArray, epoch);
    QFETCH(quint64, seq);

    const QByteArray text = EventId{epoch, seq}.toByteArray();
    const std::optional<EventId> parsed = EventId::parse(text);
    QVERIFY2(parsed, text.constData());
    QCOMPARE(parsed->epoch, epoch);
    QCOMPARE(parsed->seq, seq);
    QCOMPARE(parsed->toByteArray(), text);
}

void tst_EventId::refused_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::addRow("empty") << QByteArray();
    QTest::addRow("no dash") << QByteArray("abc123");
    QTest::addRow("only a dash") << QByteArray("-");
    QTest::addRow("empty epoch") << QByteArray("-12");
    QTest::addRow("empty seq") << QByteArray("abc-");
    QTest::addRow("uppercase in epoch") << QByteArray("ABC-1");
    QTest::addRow("mixed case epoch") << QByteArray("aBc-1");
    QTest::addRow("underscore in epoch") << QByteArray("a_b-1");
    QTest::addRow("dot in epoch") << QByteArray("a.b-1");
    QTest::addRow("dash in epoch") << QByteArray("a-b-1");
    QTest::addRow("space in epoch") << QByteArray("a b-1");
    QTest::addRow("non-ASCII epoch") << QByteArray("\xc3\xa9t\xc3\xa9-1");
    QTest::addRow("letter in seq") << QByteArray("abc-1x");
    QTest::addRow("plus sign seq") << QByteArray("abc-+1");
    QTest::addRow("negative seq") << QByteArray("abc--1");
    QTest::addRow("space before seq") << QByteArray("abc- 1");
    QTest::addRow("trailing space") << QByteArray("abc-1 ");
    QTest::addRow("hex seq") << QByteArray("abc-0x10");
    QTest::addRow("65 characters") << QByteArray(63, 'e') + "-1";
    QTest::addRow("seq overflows 64 bits") << QByteArray("abc-18446744073709551616");
    QTest::addRow("seq far too long") << QByteArray("abc-") + QByteArray(40, '9');
    QTest::addRow("NUL in epoch") << QByteArray("ab\0c-1", 6);
}

void tst_EventId::refused()
{
    QFETCH(QByteArray, text);

    const std::optional<EventId> id = EventId::parse(text);
    QVERIFY2(!id, id ? id->toByteArray().constData() : "");
}

void tst_EventId::newEpochIsValid()
{
    const QByteArray epoch = EventId::newEpoch();
    QVERIFY(!epoch.isEmpty());
    for (const char c : epoch)
        QVERIFY2((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'), epoch.constData());
    const std::optional<EventId> id = EventId::parse(epoch + "-1");
    QVERIFY(id);
    QCOMPARE(id->epoch, epoch);
}

QTEST_GUILESS_MAIN(tst_EventId)
#include "tst_eventid.moc"
