#include "target.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

Q_DECLARE_METATYPE(Target)

// Found by ADL, so QCOMPARE on targets prints them.
char *toString(const Target &target)
{
    return QTest::toString(QJsonDocument(target.toJson()).toJson(QJsonDocument::Compact));
}

namespace {

// The value of "target" in a publish request given as JSON text; empty text means the field
// is absent. Wrapping lets scalars and null be written as text too.
QJsonValue targetValue(const QByteArray &json)
{
    if (json.isEmpty())
        return QJsonObject().value(QStringLiteral("target")); // undefined
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson("{\"target\": " + json + "}", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in test table: %s", json.constData());
    return document.object().value(QStringLiteral("target"));
}

QByteArray quoted(const QString &text)
{
    return '"' + text.toUtf8() + '"';
}

} // namespace

class tst_Target final : public QObject
{
    Q_OBJECT

private slots:
    void fromJson_data();
    void fromJson();
    void fromJsonErrors_data();
    void fromJsonErrors();
    void toJson_data();
    void toJson();
    void toJsonRoundTrip_data() { toJson_data(); }
    void toJsonRoundTrip();
    void isBroadcast_data();
    void isBroadcast();
};

void tst_Target::fromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("sessions");
    QTest::addColumn<QStringList>("users");
    QTest::addColumn<QStringList>("groups");

    const QStringList none;
    const QString maxLength(256, QLatin1Char('u'));

    QTest::addRow("missing is broadcast") << QByteArray() << none << none << none;
    QTest::addRow("null is broadcast") << QByteArray("null") << none << none << none;
    QTest::addRow("empty arrays beside a user") << QByteArray(R"({"sessions": [], "users": ["u"], "groups": []})")
                                                << none << QStringList{"u"} << none;
    QTest::addRow("sessions") << QByteArray(R"({"sessions": ["s1", "s2"]})")
                              << QStringList{"s1", "s2"} << none << none;
    QTest::addRow("users") << QByteArray(R"({"users": ["alice"]})") << none
                           << QStringList{"alice"} << none;
    QTest::addRow("groups") << QByteArray(R"({"groups": ["ops", "dev"]})") << none << none
                            << QStringList{"ops", "dev"};
    QTest::addRow("all three") << QByteArray(R"({"groups": ["g"], "users": ["u"],
                                                 "sessions": ["s"]})")
                               << QStringList{"s"} << QStringList{"u"} << QStringList{"g"};
    QTest::addRow("integers become decimal strings")
        << QByteArray(R"({"users": [42, 0, -3], "groups": [7]})") << none
        << QStringList{"42", "0", "-3"} << QStringList{"7"};
    QTest::addRow("strings and integers mixed")
        << QByteArray(R"({"users": ["alice", 12]})") << none << QStringList{"alice", "12"}
        << none;
    QTest::addRow("order kept") << QByteArray(R"({"users": ["b", "a", "c"]})") << none
                                << QStringList{"b", "a", "c"} << none;
    QTest::addRow("non-ASCII") << QByteArray(R"({"users": ["j\u00f6rg"]})") << none
                               << QStringList{QStringLiteral("j\u00f6rg")} << none;
    QTest::addRow("256 characters accepted")
        << QByteArray("{\"users\": [" + quoted(maxLength) + "]}") << none
        << QStringList{maxLength} << none;
}

void tst_Target::fromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, sessions);
    QFETCH(QStringList, users);
    QFETCH(QStringList, groups);

    QString error;
    const std::optional<Target> target = Target::fromJson(targetValue(json), &error);
    QVERIFY2(target.has_value(), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(target->sessions, sessions);
    QCOMPARE(target->users, users);
    QCOMPARE(target->groups, groups);
    QCOMPARE(target->isBroadcast(),
             sessions.isEmpty() && users.isEmpty() && groups.isEmpty());
}

void tst_Target::fromJsonErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field"); // the error message must name it

    const QByteArray tooLong = quoted(QString(257, QLatin1Char('u')));

    QTest::addRow("array") << QByteArray(R"(["alice"])") << QStringLiteral("target");
    QTest::addRow("string") << QByteArray(R"("alice")") << QStringLiteral("target");
    QTest::addRow("number") << QByteArray("1") << QStringLiteral("target");
    QTest::addRow("boolean") << QByteArray("true") << QStringLiteral("target");
    QTest::addRow("unknown field") << QByteArray(R"({"user": ["alice"]})")
                                   << QStringLiteral("target.user");
    QTest::addRow("unknown field next to known ones")
        << QByteArray(R"({"users": ["alice"], "everyone": true})")
        << QStringLiteral("target.everyone");
    QTest::addRow("users is a string") << QByteArray(R"({"users": "alice"})")
                                       << QStringLiteral("target.users");
    QTest::addRow("sessions is an object") << QByteArray(R"({"sessions": {"id": "s"}})")
                                           << QStringLiteral("target.sessions");
    QTest::addRow("groups is a number") << QByteArray(R"({"groups": 3})")
                                        << QStringLiteral("target.groups");
    QTest::addRow("groups is false") << QByteArray(R"({"groups": false})")
                                     << QStringLiteral("target.groups");
    QTest::addRow("object entry") << QByteArray(R"({"users": [{"id": 1}]})")
                                  << QStringLiteral("target.users");
    QTest::addRow("array entry") << QByteArray(R"({"users": [["a"]]})")
                                 << QStringLiteral("target.users");
    QTest::addRow("float entry") << QByteArray(R"({"users": [1.5]})")
                                 << QStringLiteral("target.users");
    QTest::addRow("boolean entry") << QByteArray(R"({"groups": [true]})")
                                   << QStringLiteral("target.groups");
    QTest::addRow("null entry") << QByteArray(R"({"sessions": [null]})")
                                << QStringLiteral("target.sessions");
    QTest::addRow("empty string entry") << QByteArray(R"({"groups": ["ops", ""]})")
                                        << QStringLiteral("target.groups");
    // A publisher's empty recipient list must not become everyone.
    QTest::addRow("empty object") << QByteArray("{}") << QStringLiteral("names no session");
    QTest::addRow("empty arrays") << QByteArray(R"({"sessions": [], "users": [], "groups": []})")
                                  << QStringLiteral("names no session");
    QTest::addRow("null fields") << QByteArray(R"({"sessions": null, "users": null, "groups": null})")
                                 << QStringLiteral("names no session");
    QTest::addRow("257 characters") << QByteArray("{\"sessions\": [" + tooLong + "]}")
                                    << QStringLiteral("target.sessions");
    QTest::addRow("bad entry after good fields")
        << QByteArray(R"({"sessions": ["s"], "users": ["u"], "groups": [2.5]})")
        << QStringLiteral("target.groups");
}

void tst_Target::fromJsonErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);

    QString error;
    const std::optional<Target> target = Target::fromJson(targetValue(json), &error);
    QVERIFY(!target.has_value());
    QVERIFY2(error.contains(field), qPrintable(error));
}

void tst_Target::toJson_data()
{
    QTest::addColumn<Target>("target");
    QTest::addColumn<QByteArray>("json");

    QTest::addRow("broadcast is an empty object") << Target{} << QByteArray("{}");
    QTest::addRow("sessions only") << Target{{"s1", "s2"}, {}, {}}
                                   << QByteArray(R"({"sessions":["s1","s2"]})");
    QTest::addRow("users only") << Target{{}, {"alice"}, {}}
                                << QByteArray(R"({"users":["alice"]})");
    QTest::addRow("groups only") << Target{{}, {}, {"ops"}} << QByteArray(R"({"groups":["ops"]})");
    QTest::addRow("all three") << Target{{"s"}, {"u", "42"}, {"g"}}
                               << QByteArray(R"({"groups":["g"],"sessions":["s"],)"
                                             R"("users":["u","42"]})");
    QTest::addRow("non-ASCII") << Target{{}, {QStringLiteral("j\u00f6rg")}, {}}
                               << QByteArray("{\"users\":[\"j\xC3\xB6rg\"]}");
}

void tst_Target::toJson()
{
    QFETCH(Target, target);
    QFETCH(QByteArray, json);

    QCOMPARE(QJsonDocument(target.toJson()).toJson(QJsonDocument::Compact), json);
}

void tst_Target::toJsonRoundTrip()
{
    QFETCH(Target, target);
    if (target.isBroadcast())
        QSKIP("a broadcast is written as {} but a present, empty target is refused (see fromJsonErrors)");

    QString error;
    const std::optional<Target> parsed = Target::fromJson(target.toJson(), &error);
    QVERIFY2(parsed.has_value(), qPrintable(error));
    QCOMPARE(*parsed, target);

    // And through text, as the hub stores and sends it.
    const QByteArray text = QJsonDocument(target.toJson()).toJson();
    const std::optional<Target> reparsed = Target::fromJson(targetValue(text), &error);
    QVERIFY2(reparsed.has_value(), qPrintable(error));
    QCOMPARE(*reparsed, target);
}

void tst_Target::isBroadcast_data()
{
    QTest::addColumn<Target>("target");
    QTest::addColumn<bool>("broadcast");

    QTest::addRow("empty") << Target{} << true;
    QTest::addRow("one session") << Target{{"s"}, {}, {}} << false;
    QTest::addRow("one user") << Target{{}, {"u"}, {}} << false;
    QTest::addRow("one group") << Target{{}, {}, {"g"}} << false;
}

void tst_Target::isBroadcast()
{
    QFETCH(Target, target);
    QFETCH(bool, broadcast);

    QCOMPARE(target.isBroadcast(), broadcast);
}

QTEST_APPLESS_MAIN(tst_Target)
#include "tst_target.moc"
