#include "controlhello.h"

#include <QJsonArray>
#include <QTest>

// The control channel's hello, as the server writes it and the console reads it.
class tst_ControlHello : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void anonymousHelloTellsLess();
    void notAHello();
    void streamUrlMustBeHttp();
    void anyAddressTakesTheAdminHost_data();
    void anyAddressTakesTheAdminHost();
};

void tst_ControlHello::roundTrip()
{
    ControlHello hello;
    hello.version = 1;
    hello.authenticated = true;
    hello.topics = {QStringLiteral("connections"), QStringLiteral("stats")};
    hello.serverVersion = QStringLiteral("0.1.0");
    hello.streamUrl = QUrl(QStringLiteral("https://[::1]:8443/eventsource"));
    const QJsonObject json = hello.toJson();
    QCOMPARE(json.value(QStringLiteral("type")).toString(), QStringLiteral("hello"));
    QCOMPARE(json.value(QStringLiteral("server")).toString(), QStringLiteral("eventsource-server"));
    QCOMPARE(json.value(QStringLiteral("streamUrl")).toString(), QStringLiteral("https://[::1]:8443/eventsource"));
    const std::optional<ControlHello> read = ControlHello::fromJson(json);
    QVERIFY(read);
    QCOMPARE(read->version, 1);
    QVERIFY(read->authenticated);
    QCOMPARE(read->topics, hello.topics);
    QCOMPARE(read->serverVersion, hello.serverVersion);
    QCOMPARE(read->streamUrl, hello.streamUrl);
}

void tst_ControlHello::anonymousHelloTellsLess()
{
    ControlHello hello;
    hello.version = 1;
    const QJsonObject json = hello.toJson();
    QVERIFY(!json.contains(QStringLiteral("serverVersion")));
    QVERIFY(!json.contains(QStringLiteral("streamUrl")));
    QCOMPARE(json.value(QStringLiteral("authenticated")).toBool(true), false);
}

void tst_ControlHello::notAHello()
{
    QVERIFY(!ControlHello::fromJson({{QStringLiteral("type"), QStringLiteral("result")}}));
    QVERIFY(!ControlHello::fromJson({}));
}

void tst_ControlHello::streamUrlMustBeHttp()
{
    const auto read = [](const QString &url) {
        return ControlHello::fromJson({{QStringLiteral("type"), QStringLiteral("hello")},
                                       {QStringLiteral("streamUrl"), url}})->streamUrl;
    };
    QVERIFY(!read(QStringLiteral("javascript:alert(1)")).isValid());
    QVERIFY(!read(QStringLiteral("file:///etc/passwd")).isValid());
    QVERIFY(!read(QStringLiteral("not a url at all %%")).isValid());
    QCOMPARE(read(QStringLiteral("http://h.test:8080/eventsource")), QUrl(QStringLiteral("http://h.test:8080/eventsource")));
}

void tst_ControlHello::anyAddressTakesTheAdminHost_data()
{
    QTest::addColumn<QString>("told");
    QTest::addColumn<QString>("seen");
    QTest::newRow("IPv4 any") << "http://0.0.0.0:8080/eventsource" << "http://push.example.com:8080/eventsource";
    QTest::newRow("IPv6 any") << "https://[::]:8443/sse" << "https://push.example.com:8443/sse";
    QTest::newRow("one address") << "http://10.0.0.5:8080/eventsource" << "http://10.0.0.5:8080/eventsource";
}

void tst_ControlHello::anyAddressTakesTheAdminHost()
{
    QFETCH(QString, told);
    QFETCH(QString, seen);
    ControlHello hello;
    hello.streamUrl = QUrl(told);
    QCOMPARE(hello.streamUrlSeenFrom(QUrl(QStringLiteral("wss://push.example.com:8081/control"))), QUrl(seen));
}

QTEST_GUILESS_MAIN(tst_ControlHello)
#include "tst_controlhello.moc"
