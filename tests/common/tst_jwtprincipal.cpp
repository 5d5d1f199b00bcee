#include "jwtprincipal.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

namespace {

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in test table: %s", json.constData());
    return document.object();
}

QByteArray quoted(const QString &text)
{
    return '"' + text.toUtf8() + '"';
}

// Group names g0, g1, ...
QStringList numberedGroups(int count)
{
    QStringList names;
    for (int i = 0; i < count; ++i)
        names.append(QStringLiteral("g%1").arg(i));
    return names;
}

QByteArray jsonArray(const QStringList &names)
{
    return QJsonDocument(QJsonArray::fromStringList(names)).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_JwtPrincipal final : public QObject
{
    Q_OBJECT

private slots:
    void fromClaims_data();
    void fromClaims();
    void fromClaimsErrors_data();
    void fromClaimsErrors();
};

void tst_JwtPrincipal::fromClaims_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QString>("userName");
    QTest::addColumn<QStringList>("groupIds");
    QTest::addColumn<QStringList>("groupNames");
    QTest::addColumn<QString>("sessionId");

    const QStringList none;
    const QString longest(256, u'x');

    QTest::addRow("sub only") << QByteArray(R"({"sub": "u1"})") << "u1" << QString() << none
                              << none << QString();
    QTest::addRow("integer sub") << QByteArray(R"({"sub": 42})") << "42" << QString() << none
                                 << none << QString();
    QTest::addRow("negative integer sub") << QByteArray(R"({"sub": -7})") << "-7" << QString()
                                          << none << none << QString();
    QTest::addRow("all claims")
        << QByteArray(R"({"sub": "u1", "name": "alice", "sid": "s1",
                          "groups": ["Marketing", "Sales"]})")
        << "u1" << "alice" << none << QStringList{"Marketing", "Sales"} << "s1";
    QTest::addRow("groups as objects")
        << QByteArray(R"({"sub": "u1", "groups": [{"id": "g1", "name": "Marketing"},
                                                   {"id": "g2", "name": "Sales"}]})")
        << "u1" << QString() << QStringList{"g1", "g2"} << QStringList{"Marketing", "Sales"}
        << QString();
    QTest::addRow("group object with id only")
        << QByteArray(R"({"sub": "u1", "groups": [{"id": "g1"}]})") << "u1" << QString()
        << QStringList{"g1"} << none << QString();
    QTest::addRow("group object with name only")
        << QByteArray(R"({"sub": "u1", "groups": [{"name": "Ops"}]})") << "u1" << QString()
        << none << QStringList{"Ops"} << QString();
    QTest::addRow("group object with integer id")
        << QByteArray(R"({"sub": "u1", "groups": [{"id": 7}]})") << "u1" << QString()
        << QStringList{"7"} << none << QString();
    QTest::addRow("strings and objects mixed")
        << QByteArray(R"({"sub": "u1", "groups": ["Ops", {"id": "g1", "name": "Dev"}]})")
        << "u1" << QString() << QStringList{"g1"} << QStringList{"Ops", "Dev"} << QString();
    QTest::addRow("duplicate groups kept once")
        << QByteArray(R"({"sub": "u1", "groups": ["Ops", "Ops", {"name": "Ops"}]})") << "u1"
        << QString() << none << QStringList{"Ops"} << QString();
    QTest::addRow("empty groups") << QByteArray(R"({"sub": "u1", "groups": []})") << "u1"
                                  << QString() << none << none << QString();
    QTest::addRow("null optional claims")
        << QByteArray(R"({"sub": "u1", "name": null, "sid": null, "groups": null})") << "u1"
        << QString() << none << none << QString();
    QTest::addRow("other claims ignored")
        << QByteArray(R"({"sub": "u1", "exp": 1, "iss": "x", "roles": [1]})") << "u1"
        << QString() << none << none << QString();
    QTest::addRow("256 groups accepted")
        << QByteArray(R"({"sub": "u1", "groups": )" + jsonArray(numberedGroups(256)) + '}')
        << "u1" << QString() << none << numberedGroups(256) << QString();
    QTest::addRow("256 characters accepted")
        << QByteArray("{\"sub\": " + quoted(longest) + ", \"name\": " + quoted(longest)
                      + ", \"sid\": " + quoted(longest) + "}")
        << longest << longest << none << none << longest;
    QTest::addRow("non-ASCII name")
        << QByteArray(R"({"sub": "u1", "name": "J\u00f6rg"})") << "u1"
        << QStringLiteral("J\u00f6rg") << none << none << QString();
}

void tst_JwtPrincipal::fromClaims()
{
    QFETCH(QByteArray, claims);
    QFETCH(QString, userId);
    QFETCH(QString, userName);
    QFETCH(QStringList, groupIds);
    QFETCH(QStringList, groupNames);
    QFETCH(QString, sessionId);

    QString error;
    const std::optional<Principal> principal = JwtPrincipal::fromClaims(object(claims), &error);
    QVERIFY2(principal.has_value(), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(principal->userId, userId);
    QCOMPARE(principal->userName, userName);
    QCOMPARE(principal->groupIds, groupIds);
    QCOMPARE(principal->groupNames, groupNames);
    QCOMPARE(principal->sessionId, sessionId);
}

void tst_JwtPrincipal::fromClaimsErrors_data()
{
    QTest::addColumn<QByteArray>("claims");
    QTest::addColumn<QString>("claim"); // the error message must name it

    const QByteArray tooLong = quoted(QString(257, u'x'));

    QTest::addRow("sub missing") << QByteArray(R"({"name": "alice"})") << "sub";
    QTest::addRow("sub null") << QByteArray(R"({"sub": null})") << "sub";
    QTest::addRow("sub empty") << QByteArray(R"({"sub": ""})") << "sub";
    QTest::addRow("sub fractional") << QByteArray(R"({"sub": 1.5})") << "sub";
    QTest::addRow("sub boolean") << QByteArray(R"({"sub": true})") << "sub";
    QTest::addRow("sub object") << QByteArray(R"({"sub": {"id": "u1"}})") << "sub";
    QTest::addRow("sub too long") << QByteArray("{\"sub\": " + tooLong + "}") << "sub";
    QTest::addRow("name integer") << QByteArray(R"({"sub": "u1", "name": 5})") << "name";
    QTest::addRow("name empty") << QByteArray(R"({"sub": "u1", "name": ""})") << "name";
    QTest::addRow("name too long")
        << QByteArray("{\"sub\": \"u1\", \"name\": " + tooLong + "}") << "name";
    QTest::addRow("sid integer") << QByteArray(R"({"sub": "u1", "sid": 5})") << "sid";
    QTest::addRow("sid array") << QByteArray(R"({"sub": "u1", "sid": ["s1"]})") << "sid";
    QTest::addRow("sid too long")
        << QByteArray("{\"sub\": \"u1\", \"sid\": " + tooLong + "}") << "sid";
    QTest::addRow("groups a string") << QByteArray(R"({"sub": "u1", "groups": "Ops"})")
                                     << "groups";
    QTest::addRow("groups an object")
        << QByteArray(R"({"sub": "u1", "groups": {"id": "g1"}})") << "groups";
    QTest::addRow("group entry integer") << QByteArray(R"({"sub": "u1", "groups": ["a", 3]})")
                                         << "groups[1]";
    QTest::addRow("group entry null") << QByteArray(R"({"sub": "u1", "groups": [null]})")
                                      << "groups[0]";
    QTest::addRow("group entry empty string")
        << QByteArray(R"({"sub": "u1", "groups": [""]})") << "groups[0]";
    QTest::addRow("group entry nested array")
        << QByteArray(R"({"sub": "u1", "groups": [["Ops"]]})") << "groups[0]";
    QTest::addRow("group object without id or name")
        << QByteArray(R"({"sub": "u1", "groups": [{"title": "Ops"}]})") << "groups[0]";
    QTest::addRow("group object with integer name")
        << QByteArray(R"({"sub": "u1", "groups": [{"id": "g1", "name": 2}]})")
        << "groups[0].name";
    QTest::addRow("group object with boolean id")
        << QByteArray(R"({"sub": "u1", "groups": [{"id": false}]})") << "groups[0].id";
    QTest::addRow("group name too long")
        << QByteArray("{\"sub\": \"u1\", \"groups\": [" + tooLong + "]}") << "groups[0]";
    QTest::addRow("group id too long")
        << QByteArray("{\"sub\": \"u1\", \"groups\": [{\"id\": " + tooLong + "}]}")
        << "groups[0].id";
    QTest::addRow("257 groups")
        << QByteArray(R"({"sub": "u1", "groups": )" + jsonArray(numberedGroups(257)) + '}')
        << "groups";
}

void tst_JwtPrincipal::fromClaimsErrors()
{
    QFETCH(QByteArray, claims);
    QFETCH(QString, claim);

    QString error;
    const std::optional<Principal> principal = JwtPrincipal::fromClaims(object(claims), &error);
    QVERIFY2(!principal.has_value(), "wrong claims were accepted");
    QVERIFY2(error.contains(QStringLiteral("claim ") + claim),
             qPrintable(QStringLiteral("error \"%1\" does not name %2").arg(error, claim)));
}

QTEST_GUILESS_MAIN(tst_JwtPrincipal)
#include "tst_jwtprincipal.moc"
