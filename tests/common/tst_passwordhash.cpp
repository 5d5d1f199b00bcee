#include "passwordhash.h"

#include <QRegularExpression>
#include <QTest>

namespace {

// Expected values computed with Python's hashlib.pbkdf2_hmac, an implementation independent
// of Qt's, so these rows catch a wrong algorithm, salt handling or text encoding.
const QString knownAscii = QStringLiteral(
    "pbkdf2-sha256$1000$MDEyMzQ1Njc4OWFiY2RlZg$yqSq2SygY1sB4EcH9f2FG0JTMES-wqLsOT5YmiRBplI");
const QString knownAsciiPassword = QStringLiteral("correct horse battery staple");
const QString knownUtf8 = QStringLiteral(
    "pbkdf2-sha256$1234$c2FsdHNhbHQ$ZRHjkeOfshNgkgitzD1qADQZ5K5KSj4keEFN8DxJ7hw");
const QString knownUtf8Password = QStringLiteral("J\u00f6rg \u4e16");

QString part(const QString &encoded, int index)
{
    return encoded.section(u'$', index, index);
}

QString withPart(const QString &encoded, int index, const QString &value)
{
    QStringList parts = encoded.split(u'$');
    parts[index] = value;
    return parts.join(u'$');
}

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

class tst_PasswordHash final : public QObject
{
    Q_OBJECT

private slots:
    void createThenVerify_data();
    void createThenVerify();
    void saltsDiffer();
    void defaultIterations();
    void createRefusesIterations_data();
    void createRefusesIterations();
    void knownVectors_data();
    void knownVectors();
    void wellFormed_data();
    void wellFormed();
    void malformed_data();
    void malformed();
};

void tst_PasswordHash::createThenVerify_data()
{
    QTest::addColumn<QString>("password");

    QTest::addRow("plain") << QStringLiteral("correct horse");
    QTest::addRow("empty") << QString();
    QTest::addRow("non-ASCII") << QStringLiteral("p\u00e4ssw\u00f6rd \u4e16\u754c");
    QTest::addRow("dollar signs") << QStringLiteral("$a$b$");
    QTest::addRow("10000 characters") << QString(10000, u'p');
}

void tst_PasswordHash::createThenVerify()
{
    QFETCH(QString, password);

    const QString encoded = PasswordHash::create(password, 1000);
    static const QRegularExpression format(
        QStringLiteral("^pbkdf2-sha256\\$1000\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43}$"));
    QVERIFY2(format.match(encoded).hasMatch(), qPrintable(encoded));
    QVERIFY(PasswordHash::isWellFormed(encoded));
    QVERIFY(PasswordHash::verify(password, encoded));
    QVERIFY(!PasswordHash::verify(password + u'x', encoded));
    if (!password.isEmpty())
        QVERIFY(!PasswordHash::verify(password.chopped(1), encoded));
}

void tst_PasswordHash::saltsDiffer()
{
    const QString first = PasswordHash::create(QStringLiteral("same"), 1000);
    const QString second = PasswordHash::create(QStringLiteral("same"), 1000);
    QVERIFY(part(first, 2) != part(second, 2));
    QVERIFY(part(first, 3) != part(second, 3));
    QVERIFY(PasswordHash::verify(QStringLiteral("same"), first));
    QVERIFY(PasswordHash::verify(QStringLiteral("same"), second));
}

void tst_PasswordHash::defaultIterations()
{
    QVERIFY(PasswordHash::defaultIterations >= 100000);
    const QString encoded = PasswordHash::create(QStringLiteral("secret"));
    QCOMPARE(part(encoded, 1).toInt(), PasswordHash::defaultIterations);
    QVERIFY(PasswordHash::verify(QStringLiteral("secret"), encoded));
}

void tst_PasswordHash::createRefusesIterations_data()
{
    QTest::addColumn<int>("iterations");

    QTest::addRow("999") << 999;
    QTest::addRow("zero") << 0;
    QTest::addRow("negative") << -1000;
    QTest::addRow("10000001") << 10'000'001;
}

void tst_PasswordHash::createRefusesIterations()
{
    QFETCH(int, iterations);
    QCOMPARE(PasswordHash::create(QStringLiteral("secret"), iterations), QString());
}

void tst_PasswordHash::knownVectors_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("encoded");
    QTest::addColumn<bool>("matches");

    QTest::addRow("ASCII") << knownAsciiPassword << knownAscii << true;
    QTest::addRow("UTF-8") << knownUtf8Password << knownUtf8 << true;
    QTest::addRow("ASCII, wrong password") << knownUtf8Password << knownAscii << false;
    QTest::addRow("UTF-8 as Latin-1 does not match")
        << QString::fromLatin1(knownUtf8Password.toUtf8()) << knownUtf8 << false;
    QTest::addRow("iteration count changed") << knownAsciiPassword
                                             << withPart(knownAscii, 1, QStringLiteral("1001"))
                                             << false;
    QTest::addRow("salt changed")
        << knownAsciiPassword << withPart(knownAscii, 2, base64Url("0123456789abcdeg")) << false;
    QString key = part(knownAscii, 3);
    key[0] = key[0] == u'A' ? u'B' : u'A';
    QTest::addRow("key changed") << knownAsciiPassword << withPart(knownAscii, 3, key) << false;
}

void tst_PasswordHash::knownVectors()
{
    QFETCH(QString, password);
    QFETCH(QString, encoded);
    QFETCH(bool, matches);

    QVERIFY(PasswordHash::isWellFormed(encoded));
    QCOMPARE(PasswordHash::verify(password, encoded), matches);
}

void tst_PasswordHash::wellFormed_data()
{
    QTest::addColumn<QString>("encoded");

    QTest::addRow("1000 iterations") << knownAscii;
    QTest::addRow("10000000 iterations") << withPart(knownAscii, 1, QStringLiteral("10000000"));
    QTest::addRow("8-byte salt") << knownUtf8;
    QTest::addRow("64-byte salt") << withPart(knownAscii, 2, base64Url(QByteArray(64, 's')));
}

void tst_PasswordHash::wellFormed()
{
    QFETCH(QString, encoded);
    // Only the form: verifying 10 million rounds would take seconds.
    QVERIFY(PasswordHash::isWellFormed(encoded));
}

void tst_PasswordHash::malformed_data()
{
    QTest::addColumn<QString>("encoded");

    const QString salt = part(knownAscii, 2);
    const QString key = part(knownAscii, 3);
    QString nonCanonicalKey = key;
    // 43 characters carry 256 bits and 2 unused ones; setting one is a second spelling.
    nonCanonicalKey.back() = QChar(nonCanonicalKey.back().unicode() + 1);

    QTest::addRow("empty") << QString();
    QTest::addRow("plain text") << knownAsciiPassword;
    QTest::addRow("other scheme") << withPart(knownAscii, 0, QStringLiteral("pbkdf2-sha1"));
    QTest::addRow("scheme upper case") << withPart(knownAscii, 0, QStringLiteral("PBKDF2-SHA256"));
    QTest::addRow("three parts") << knownAscii.section(u'$', 0, 2);
    QTest::addRow("five parts") << knownAscii + u'$';
    QTest::addRow("trailing newline") << knownAscii + u'\n';
    QTest::addRow("999 iterations") << withPart(knownAscii, 1, QStringLiteral("999"));
    QTest::addRow("10000001 iterations") << withPart(knownAscii, 1, QStringLiteral("10000001"));
    QTest::addRow("huge iterations") << withPart(knownAscii, 1, QStringLiteral("99999999999"));
    QTest::addRow("leading zero") << withPart(knownAscii, 1, QStringLiteral("01000"));
    QTest::addRow("plus sign") << withPart(knownAscii, 1, QStringLiteral("+1000"));
    QTest::addRow("leading space") << withPart(knownAscii, 1, QStringLiteral(" 1000"));
    QTest::addRow("exponent") << withPart(knownAscii, 1, QStringLiteral("1e3"));
    QTest::addRow("empty iterations") << withPart(knownAscii, 1, QString());
    QTest::addRow("empty salt") << withPart(knownAscii, 2, QString());
    QTest::addRow("7-byte salt") << withPart(knownAscii, 2, base64Url("saltsal"));
    QTest::addRow("65-byte salt") << withPart(knownAscii, 2, base64Url(QByteArray(65, 's')));
    QTest::addRow("salt padded") << withPart(knownAscii, 2, salt + QStringLiteral("=="));
    QTest::addRow("salt in standard base64")
        << withPart(knownAscii, 2, QString::fromLatin1(QByteArray(16, '\xff').toBase64(
                                       QByteArray::OmitTrailingEquals)));
    QTest::addRow("empty key") << withPart(knownAscii, 3, QString());
    QTest::addRow("31-byte key") << withPart(knownAscii, 3, base64Url(QByteArray(31, 'k')));
    QTest::addRow("33-byte key") << withPart(knownAscii, 3, base64Url(QByteArray(33, 'k')));
    QTest::addRow("key padded") << withPart(knownAscii, 3, key + u'=');
    QTest::addRow("key with '+'") << withPart(knownAscii, 3, QString(key).replace(u'-', u'+'));
    QTest::addRow("key non-canonical") << withPart(knownAscii, 3, nonCanonicalKey);
}

void tst_PasswordHash::malformed()
{
    QFETCH(QString, encoded);

    QVERIFY(!PasswordHash::isWellFormed(encoded));
    QVERIFY(!PasswordHash::verify(knownAsciiPassword, encoded));
}

QTEST_GUILESS_MAIN(tst_PasswordHash)
#include "tst_passwordhash.moc"
