#include "jwt.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTest>

namespace {

constexpr qint64 now = 1'700'000'000;
const QByteArray secret = QByteArrayLiteral("correct horse battery staple");
const QByteArray hs256Header = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})");

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray mac(const QByteArray &signingInput, const QByteArray &key)
{
    return QMessageAuthenticationCode::hash(signingInput, key, QCryptographicHash::Sha256);
}

// A token from already encoded header and payload segments, signed over them as given, so a
// malformed segment is refused for its form and not for a signature that does not fit.
QByteArray signedSegments(const QByteArray &header, const QByteArray &payload,
                          const QByteArray &key = secret)
{
    const QByteArray input = header + '.' + payload;
    return input + '.' + base64Url(mac(input, key));
}

// A token from header and payload JSON text, built without Jwt::sign so the test does not
// trust the code under test to produce its input.
QByteArray token(const QByteArray &header, const QByteArray &payload,
                 const QByteArray &key = secret)
{
    return signedSegments(base64Url(header), base64Url(payload), key);
}

QByteArray claims(qint64 expOffset)
{
    return R"({"sub":"u1","exp":)" + QByteArray::number(now + expOffset) + '}';
}

QList<QByteArray> segments(const QByteArray &token)
{
    return token.split('.');
}

// A valid token whose MAC, written in standard base64, contains c: proof that only the
// alphabet refuses it, since the signature itself is right.
QByteArray tokenWithStandardBase64Signature(char c)
{
    for (int i = 0;; ++i) {
        const QByteArray header = base64Url(hs256Header);
        const QByteArray payload = base64Url(R"({"sub":"u1","n":)" + QByteArray::number(i) + '}');
        const QByteArray signature = mac(header + '.' + payload, secret)
                                         .toBase64(QByteArray::OmitTrailingEquals);
        if (signature.contains(c))
            return header + '.' + payload + '.' + signature;
    }
}

// A valid token of exactly size bytes: a filler claim and a "kid" header field are grown
// until the lengths meet (base64 never has a length of 1 mod 4, so one field is not enough).
QByteArray tokenOfSize(qsizetype size)
{
    for (int kid = 0; kid < 4; ++kid) {
        const QByteArray header = R"({"alg":"HS256","kid":")" + QByteArray(kid, 'k') + "\"}";
        const qsizetype fixed = base64Url(header).size() + 2 + 43;
        for (qsizetype filler = (size - fixed) * 3 / 4 - 30; filler < (size - fixed) * 3 / 4;
             ++filler) {
            const QByteArray candidate =
                token(header, R"({"sub":"u1","filler":")" + QByteArray(filler, 'x') + "\"}");
            if (candidate.size() == size)
                return candidate;
        }
    }
    qFatal("no token of %lld bytes", qlonglong(size));
}

} // namespace

class tst_Jwt final : public QObject
{
    Q_OBJECT

private slots:
    void verify_data();
    void verify();
    void signRoundTrip_data();
    void signRoundTrip();
    void signWritesFixedHeader();
    void signUsesUrlAlphabet();
    void signWithEmptySecretGivesNothing();
};

void tst_Jwt::verify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QString>("error"); // empty: valid; otherwise a part of the message

    const QByteArray valid = token(hs256Header, claims(60));
    const QList<QByteArray> parts = segments(valid);
    const QByteArray noneHeader = base64Url(R"({"alg":"none","typ":"JWT"})");

    QTest::addRow("valid") << valid << secret << QString();
    QTest::addRow("valid without exp") << token(hs256Header, R"({"sub":"u1"})") << secret
                                       << QString();
    QTest::addRow("valid without typ") << token(R"({"alg":"HS256"})", claims(60)) << secret
                                       << QString();
    QTest::addRow("valid with nbf == now")
        << token(hs256Header, R"({"sub":"u1","nbf":)" + QByteArray::number(now) + '}')
        << secret << QString();
    QTest::addRow("valid with fractional exp")
        << token(hs256Header, R"({"exp":)" + QByteArray::number(now) + ".5}") << secret
        << QString();
    QTest::addRow("valid of exactly 64 KiB") << tokenOfSize(Jwt::maxTokenBytes) << secret
                                             << QString();

    QTest::addRow("expired") << token(hs256Header, claims(-1)) << secret << "expired";
    QTest::addRow("exp == now") << token(hs256Header, claims(0)) << secret << "expired";
    QTest::addRow("exp a string")
        << token(hs256Header, R"({"exp":"tomorrow"})") << secret << "exp is not a number";
    QTest::addRow("exp null") << token(hs256Header, R"({"exp":null})") << secret
                              << "exp is not a number";
    QTest::addRow("nbf in future")
        << token(hs256Header, R"({"nbf":)" + QByteArray::number(now + 1) + '}') << secret
        << "not valid yet";
    QTest::addRow("nbf a string") << token(hs256Header, R"({"nbf":"now"})") << secret
                                  << "nbf is not a number";

    QTest::addRow("wrong signature")
        << QByteArray(parts[0] + '.' + parts[1] + '.' + base64Url(QByteArray(32, 'x')))
        << secret << "signature";
    QTest::addRow("signature of another secret") << token(hs256Header, claims(60), "other")
                                                 << secret << "signature";
    QTest::addRow("verified with another secret") << valid << QByteArray("other")
                                                  << "signature";
    QTest::addRow("signature truncated to 31 bytes")
        << QByteArray(parts[0] + '.' + parts[1] + '.'
                      + base64Url(mac(parts[0] + '.' + parts[1], secret).left(31)))
        << secret << "signature";
    QTest::addRow("payload swapped under a signature")
        << QByteArray(parts[0] + '.' + base64Url(R"({"sub":"admin"})") + '.' + parts[2])
        << secret << "signature";
    QTest::addRow("empty signature") << QByteArray(parts[0] + '.' + parts[1] + '.') << secret
                                     << "signature";

    QTest::addRow("alg none without a signature")
        << QByteArray(noneHeader + '.' + parts[1] + '.') << secret << "algorithm";
    QTest::addRow("alg none with a signature")
        << signedSegments(noneHeader, parts[1]) << secret << "algorithm";
    QTest::addRow("alg HS512") << token(R"({"alg":"HS512","typ":"JWT"})", claims(60)) << secret
                               << "algorithm";
    QTest::addRow("alg RS256") << token(R"({"alg":"RS256","typ":"JWT"})", claims(60)) << secret
                               << "algorithm";
    QTest::addRow("alg lowercase") << token(R"({"alg":"hs256","typ":"JWT"})", claims(60))
                                   << secret << "algorithm";
    QTest::addRow("alg with a space") << token(R"({"alg":"HS256 "})", claims(60)) << secret
                                      << "algorithm";
    QTest::addRow("alg missing") << token(R"({"typ":"JWT"})", claims(60)) << secret
                                 << "algorithm";
    QTest::addRow("alg not a string") << token(R"({"alg":["HS256"]})", claims(60)) << secret
                                      << "algorithm";
    QTest::addRow("crit header") << token(R"({"alg":"HS256","crit":["exp"]})", claims(60))
                                 << secret << "critical";

    QTest::addRow("header not JSON") << token("not json", claims(60)) << secret << "header";
    QTest::addRow("header an array") << token(R"(["HS256"])", claims(60)) << secret
                                     << "header";
    QTest::addRow("payload not JSON") << token(hs256Header, "not json") << secret << "payload";
    QTest::addRow("payload array") << token(hs256Header, R"([{"sub":"u1"}])") << secret
                                   << "payload";
    QTest::addRow("payload a string") << token(hs256Header, R"("u1")") << secret << "payload";

    QTest::addRow("2 segments") << QByteArray(parts[0] + '.' + parts[1]) << secret
                                << "three segments";
    QTest::addRow("4 segments") << QByteArray(valid + '.' + parts[2]) << secret
                                << "three segments";
    QTest::addRow("1 segment") << parts[0] << secret << "three segments";
    QTest::addRow("empty token") << QByteArray() << secret << "three segments";
    QTest::addRow("empty segments") << QByteArray("..") << secret << "header";
    QTest::addRow("empty header") << signedSegments(QByteArray(), parts[1]) << secret
                                  << "header";
    QTest::addRow("empty payload") << signedSegments(parts[0], QByteArray()) << secret
                                   << "payload";

    // 13 bytes of JSON: base64 pads them with "==".
    const QByteArray padded =
        QByteArray(R"({"sub":"u12"})").toBase64(QByteArray::Base64UrlEncoding);
    QVERIFY(padded.endsWith("=="));
    QTest::addRow("padding '=' in payload") << signedSegments(parts[0], padded) << secret
                                            << "base64url";
    QTest::addRow("padding '=' on signature") << QByteArray(valid + '=') << secret
                                              << "base64url";
    QTest::addRow("'+' in signature") << tokenWithStandardBase64Signature('+') << secret
                                      << "base64url";
    QTest::addRow("'/' in signature") << tokenWithStandardBase64Signature('/') << secret
                                      << "base64url";
    QTest::addRow("space in payload")
        << signedSegments(parts[0], parts[1].left(4) + ' ' + parts[1].mid(4)) << secret
        << "base64url";
    QTest::addRow("newline at end") << QByteArray(valid + '\n') << secret << "base64url";
    QByteArray oneMod4 = parts[1];
    while (oneMod4.size() % 4 != 1)
        oneMod4 += 'A';
    QTest::addRow("segment of length 1 mod 4") << signedSegments(parts[0], oneMod4) << secret
                                               << "base64url";
    {
        // The last of 43 characters carries 4 bits and 2 unused ones; setting an unused bit
        // decodes to the same MAC, but is a second spelling of the token.
        static const char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        QByteArray altered = valid;
        const qsizetype value = QByteArray(alphabet).indexOf(altered.back());
        altered.back() = alphabet[value ^ 1];
        QTest::addRow("non-canonical trailing bits") << altered << secret << "base64url";
    }

    QTest::addRow("token of 64 KiB + 1") << tokenOfSize(Jwt::maxTokenBytes + 1) << secret
                                         << "too long";
    QTest::addRow("1 MiB of dots") << QByteArray(1024 * 1024, '.') << secret << "too long";
    QTest::addRow("empty secret") << token(hs256Header, claims(60), QByteArray())
                                  << QByteArray() << "secret";
}

void tst_Jwt::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, secret);
    QFETCH(QString, error);

    const Jwt::Verified result = Jwt::verify(token, secret, now);
    if (error.isEmpty()) {
        QVERIFY2(result.claims.has_value(), qPrintable(result.error));
        QVERIFY(result.error.isEmpty());
        const QByteArray payload = QByteArray::fromBase64(
            segments(token).at(1), QByteArray::Base64UrlEncoding);
        QCOMPARE(*result.claims, QJsonDocument::fromJson(payload).object());
        return;
    }
    QVERIFY2(!result.claims.has_value(), "an invalid token was accepted");
    QVERIFY2(result.error.contains(error),
             qPrintable(QStringLiteral("error \"%1\" lacks \"%2\"").arg(result.error, error)));
    // Messages reach logs and HTTP answers: they must not carry the token or the secret.
    QVERIFY(result.error.size() < 64);
    if (!secret.isEmpty())
        QVERIFY(!result.error.contains(QString::fromLatin1(secret)));
    for (const QByteArray &segment : segments(token)) {
        if (segment.size() >= 8)
            QVERIFY(!result.error.contains(QString::fromLatin1(segment)));
    }
}

void tst_Jwt::signRoundTrip_data()
{
    QTest::addColumn<QJsonObject>("claims");

    QTest::addRow("empty claims") << QJsonObject();
    QTest::addRow("subject and expiry")
        << QJsonObject{{"sub", "u1"}, {"exp", double(now + 60)}};
    QTest::addRow("groups as objects")
        << QJsonObject{{"sub", 42},
                       {"groups", QJsonArray{QJsonObject{{"id", "g1"}, {"name", "Ops"}}}}};
    QTest::addRow("non-ASCII name") << QJsonObject{{"name", QStringLiteral("J\u00f6rg \u4e16")}};
}

void tst_Jwt::signRoundTrip()
{
    QFETCH(QJsonObject, claims);

    const QByteArray signedToken = Jwt::sign(claims, secret);
    QCOMPARE(segments(signedToken).size(), 3);
    for (const char c : {'=', '+', '/'})
        QVERIFY2(!signedToken.contains(c), signedToken.constData());

    const Jwt::Verified result = Jwt::verify(signedToken, secret, now);
    QVERIFY2(result.claims.has_value(), qPrintable(result.error));
    QCOMPARE(*result.claims, claims);
    QVERIFY(!Jwt::verify(signedToken, "another secret", now).claims.has_value());
}

void tst_Jwt::signWritesFixedHeader()
{
    const QByteArray header = QByteArray::fromBase64(
        segments(Jwt::sign(QJsonObject{{"sub", "u1"}}, secret)).at(0),
        QByteArray::Base64UrlEncoding);
    QCOMPARE(QJsonDocument::fromJson(header).object(),
             (QJsonObject{{"alg", "HS256"}, {"typ", "JWT"}}));
}

void tst_Jwt::signUsesUrlAlphabet()
{
    // Across many MACs some bytes encode to '+' or '/' in standard base64; each must have
    // come out as '-' or '_', and no segment may be padded.
    int urlOnlyCharacters = 0;
    for (int i = 0; i < 64; ++i) {
        const QByteArray signedToken = Jwt::sign(QJsonObject{{"n", i}}, secret);
        for (const char c : {'=', '+', '/'})
            QVERIFY2(!signedToken.contains(c), signedToken.constData());
        urlOnlyCharacters += signedToken.count('-') + signedToken.count('_');
    }
    QVERIFY(urlOnlyCharacters > 0);
}

void tst_Jwt::signWithEmptySecretGivesNothing()
{
    QCOMPARE(Jwt::sign(QJsonObject{{"sub", "u1"}}, QByteArrayView()), QByteArray());
}

QTEST_GUILESS_MAIN(tst_Jwt)
#include "tst_jwt.moc"
