// The protocol-neutral request the public handlers read, as an HTTP/2 stream makes it.
#include "publicrequest.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestPublicRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void methodsByName_data();
    void methodsByName();
    void targetAndAuthorityMakeTheUrl();
    void headersWithoutCase();
    void repeatedHeadersJoined();
};

void TestPublicRequest::methodsByName_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<PublicRequest::Method>("method");
    QTest::newRow("GET") << QByteArray("GET") << PublicRequest::Method::Get;
    QTest::newRow("POST") << QByteArray("POST") << PublicRequest::Method::Post;
    QTest::newRow("OPTIONS") << QByteArray("OPTIONS") << PublicRequest::Method::Options;
    QTest::newRow("lower case is another method") << QByteArray("get") << PublicRequest::Method::Unknown;
    QTest::newRow("unknown") << QByteArray("BREW") << PublicRequest::Method::Unknown;
}

void TestPublicRequest::methodsByName()
{
    QFETCH(QByteArray, name);
    QFETCH(PublicRequest::Method, method);
    QCOMPARE(PublicRequest::methodFrom(name), method);
}

void TestPublicRequest::targetAndAuthorityMakeTheUrl()
{
    const PublicRequest request("GET", "/eventsource/a,b?lastEventId=x-1", "example.com:8443", {}, {},
                                QHostAddress::LocalHost);
    QCOMPARE(request.method(), PublicRequest::Method::Get);
    QCOMPARE(request.url().path(), u"/eventsource/a,b"_s);
    QCOMPARE(request.url().query(), u"lastEventId=x-1"_s);
    QCOMPARE(request.url().host(), u"example.com"_s);
    QCOMPARE(request.remoteAddress(), QHostAddress(QHostAddress::LocalHost));
}

void TestPublicRequest::headersWithoutCase()
{
    const PublicRequest request("POST", "/login", "h", {{"content-type", "application/json"}}, "{}",
                                QHostAddress::LocalHost);
    QCOMPARE(request.value("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request.value("content-type"), QByteArray("application/json"));
    QVERIFY(request.value("origin").isEmpty());
    QCOMPARE(request.body(), QByteArray("{}"));
}

// HTTP/2 may split Cookie into one field per crumb (RFC 9113 8.2.3): joined with "; ".
void TestPublicRequest::repeatedHeadersJoined()
{
    const PublicRequest request("GET", "/", "h",
                                {{"cookie", "a=1"}, {"accept", "text/event-stream"}, {"cookie", "b=2"},
                                 {"accept", "*/*"}},
                                {}, QHostAddress::LocalHost);
    QCOMPARE(request.value("Cookie"), QByteArray("a=1; b=2"));
    QCOMPARE(request.value("Accept"), QByteArray("text/event-stream, */*"));
}

QTEST_APPLESS_MAIN(TestPublicRequest)
#include "tst_publicrequest.moc"
