#include "corspolicy.h"

#include <memory>
#include <optional>

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QTcpSocket>
#include <QTest>

#include "httplistener.h"
#include "publicrequest.h"

namespace {

using Headers = CorsPolicy::Headers;

QString verdictName(CorsPolicy::Verdict verdict)
{
    switch (verdict) {
    case CorsPolicy::Verdict::NoOrigin:
        return QStringLiteral("NoOrigin");
    case CorsPolicy::Verdict::SameOrigin:
        return QStringLiteral("SameOrigin");
    case CorsPolicy::Verdict::Allowed:
        return QStringLiteral("Allowed");
    case CorsPolicy::Verdict::Refused:
        return QStringLiteral("Refused");
    }
    return QStringLiteral("invalid");
}

} // namespace

// QHttpServerRequest has no public constructor in Qt 6.4, so requests are real ones: the
// server's HttpListener runs on loopback and its handler asks the policy under test about
// each request it parses.
class tst_CorsPolicy final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void check_data();
    void check();
    void responseHeaders_data();
    void responseHeaders();
    void preflightHeaders_data();
    void preflightHeaders();

private:
    struct Answer
    {
        CorsPolicy::Verdict verdict;
        Headers response;
        Headers preflight;
    };
    // Sends one request with the given header lines to the listener and returns what the
    // policy made of it; nothing when the request never arrived.
    std::optional<Answer> ask(const QStringList &allowed, const QByteArray &method,
                              const QByteArrayList &headerLines);

    HttpListener *m_listener = nullptr;
    quint16 m_port = 0;
    std::optional<CorsPolicy> m_policy;
    std::optional<Answer> m_answer;
    std::unique_ptr<QTcpSocket> m_client;
};

void tst_CorsPolicy::initTestCase()
{
    m_listener = new HttpListener(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            if (m_policy) {
                m_answer = Answer{m_policy->check(PublicRequest(request)), m_policy->responseHeaders(PublicRequest(request)),
                                  m_policy->preflightHeaders(PublicRequest(request))};
            }
            responder.write(QHttpServerResponder::StatusCode::NoContent);
        },
        this);
    m_port = m_listener->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_CorsPolicy::init()
{
    m_answer.reset();
    m_policy.reset();
}

void tst_CorsPolicy::cleanup()
{
    m_client.reset();
}

std::optional<tst_CorsPolicy::Answer> tst_CorsPolicy::ask(const QStringList &allowed,
                                                          const QByteArray &method,
                                                          const QByteArrayList &headerLines)
{
    m_policy.emplace(allowed);
    m_answer.reset();
    QByteArray request = method + " /eventsource HTTP/1.1\r\n";
    for (const QByteArray &line : headerLines)
        request += line + "\r\n";
    request += "\r\n";
    m_client = std::make_unique<QTcpSocket>();
    m_client->connectToHost(QHostAddress::LocalHost, m_port);
    m_client->write(request);
    if (!QTest::qWaitFor([this] { return m_answer.has_value(); }))
        return std::nullopt;
    return m_answer;
}

void tst_CorsPolicy::check_data()
{
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QByteArray>("origin"); // empty: no Origin header
    QTest::addColumn<QByteArray>("host");   // empty: no Host header
    QTest::addColumn<QString>("verdict");

    const QStringList none;
    const QStringList app{QStringLiteral("https://app.example")};
    const QStringList any{QStringLiteral("*")};
    const QByteArray hub = "hub.example:8080";

    QTest::addRow("no Origin") << none << QByteArray() << hub << "NoOrigin";
    QTest::addRow("no Origin, wildcard policy") << any << QByteArray() << hub << "NoOrigin";
    QTest::addRow("no Origin, no Host") << app << QByteArray() << QByteArray() << "NoOrigin";

    QTest::addRow("same origin, host and port") << none << QByteArray("http://hub.example:8080") << hub
                                                << "SameOrigin";
    QTest::addRow("same origin, default port") << none << QByteArray("http://hub.example")
                                               << QByteArray("hub.example") << "SameOrigin";
    QTest::addRow("same origin, https") << none << QByteArray("https://hub.example:8443")
                                        << QByteArray("hub.example:8443") << "SameOrigin";
    QTest::addRow("same origin, case-insensitive") << none << QByteArray("http://HUB.Example:8080")
                                                   << QByteArray("Hub.EXAMPLE:8080") << "SameOrigin";
    QTest::addRow("same origin, IPv4 literal") << none << QByteArray("http://127.0.0.1:8080")
                                               << QByteArray("127.0.0.1:8080") << "SameOrigin";
    QTest::addRow("same origin, IPv6 literal") << none << QByteArray("http://[::1]:8080")
                                               << QByteArray("[::1]:8080") << "SameOrigin";
    QTest::addRow("same origin wins over the list") << app << QByteArray("http://hub.example:8080") << hub
                                                    << "SameOrigin";
    QTest::addRow("same host, other port") << none << QByteArray("http://hub.example:9000") << hub
                                           << "Refused";
    QTest::addRow("same host, port only in Host") << none << QByteArray("http://hub.example") << hub
                                                  << "Refused";

    QTest::addRow("listed") << app << QByteArray("https://app.example") << hub << "Allowed";
    QTest::addRow("listed with port") << QStringList{"https://app.example:8443"}
                                      << QByteArray("https://app.example:8443") << hub << "Allowed";
    QTest::addRow("listed, case-insensitive") << QStringList{"HTTPS://App.Example"}
                                              << QByteArray("https://app.example") << hub << "Allowed";
    QTest::addRow("listed with trailing slash") << QStringList{"https://app.example/"}
                                                << QByteArray("https://app.example") << hub << "Allowed";
    QTest::addRow("listed with spaces") << QStringList{" https://app.example "}
                                        << QByteArray("https://app.example") << hub << "Allowed";
    QTest::addRow("listed among several")
        << QStringList{"https://a.example", "https://app.example", "http://b.example"}
        << QByteArray("https://app.example") << hub << "Allowed";
    QTest::addRow("listed, no Host header") << app << QByteArray("https://app.example") << QByteArray()
                                            << "Allowed";
    QTest::addRow("wildcard") << any << QByteArray("https://anything.example") << hub << "Allowed";
    QTest::addRow("wildcard among origins") << QStringList{"https://a.example", "*"}
                                            << QByteArray("http://other.example:1234") << hub << "Allowed";

    QTest::addRow("empty list") << none << QByteArray("https://app.example") << hub << "Refused";
    QTest::addRow("empty list, no Host header") << none << QByteArray("https://app.example") << QByteArray()
                                                << "Refused";
    QTest::addRow("not listed") << app << QByteArray("https://other.example") << hub << "Refused";
    QTest::addRow("scheme differs") << app << QByteArray("http://app.example") << hub << "Refused";
    QTest::addRow("port differs") << app << QByteArray("https://app.example:8443") << hub << "Refused";
    QTest::addRow("subdomain of a listed origin") << app << QByteArray("https://evil.app.example") << hub
                                                  << "Refused";
    QTest::addRow("listed origin as a prefix") << app << QByteArray("https://app.example.evil") << hub
                                               << "Refused";
    QTest::addRow("opaque origin null") << app << QByteArray("null") << hub << "Refused";
}

void tst_CorsPolicy::check()
{
    QFETCH(QStringList, allowed);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, host);
    QFETCH(QString, verdict);

    QByteArrayList headers;
    if (!host.isEmpty())
        headers.append("Host: " + host);
    if (!origin.isEmpty())
        headers.append("Origin: " + origin);
    const std::optional<Answer> answer = ask(allowed, "GET", headers);
    QVERIFY2(answer, "the request did not reach the handler");
    QCOMPARE(verdictName(answer->verdict), verdict);
}

void tst_CorsPolicy::responseHeaders_data()
{
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("credentials"); // the origin echoed with credentials, or "*" without

    QTest::addRow("listed origin echoed") << QStringList{"https://app.example"}
                                          << QByteArray("https://app.example") << true;
    // Reflecting any origin with credentials would let every site read private streams.
    QTest::addRow("wildcard: * without credentials") << QStringList{"*"} << QByteArray("http://x.example:81")
                                                     << false;
    QTest::addRow("wildcard, listed origin still echoed")
        << QStringList{"*", "https://app.example"} << QByteArray("https://app.example") << true;
    QTest::addRow("wildcard never echoes null") << QStringList{"*"} << QByteArray("null") << false;
}

void tst_CorsPolicy::responseHeaders()
{
    QFETCH(QStringList, allowed);
    QFETCH(QByteArray, origin);
    QFETCH(bool, credentials);

    const std::optional<Answer> answer =
        ask(allowed, "GET", {"Host: hub.example:8080", "Origin: " + origin});
    QVERIFY2(answer, "the request did not reach the handler");
    QCOMPARE(verdictName(answer->verdict), QStringLiteral("Allowed"));
    const Headers expected = credentials ? Headers{{"Access-Control-Allow-Origin", origin},
                                                   {"Access-Control-Allow-Credentials", "true"},
                                                   {"Vary", "Origin"}}
                                         : Headers{{"Access-Control-Allow-Origin", "*"}, {"Vary", "Origin"}};
    QCOMPARE(answer->response, expected);
}

void tst_CorsPolicy::preflightHeaders_data()
{
    QTest::addColumn<QByteArray>("requestHeaders"); // empty: no Access-Control-Request-Headers
    QTest::addColumn<QByteArray>("allowHeaders");

    const QByteArray fixed = "Last-Event-ID, Authorization, Cache-Control, Content-Type";
    // The allowed list is what the endpoints read, never an echo of the request.
    QTest::addRow("requested headers not echoed") << QByteArray("last-event-id, x-custom") << fixed;
    QTest::addRow("none requested") << QByteArray() << fixed;
}

void tst_CorsPolicy::preflightHeaders()
{
    QFETCH(QByteArray, requestHeaders);
    QFETCH(QByteArray, allowHeaders);

    const QByteArray origin = "https://app.example";
    QByteArrayList lines{"Host: hub.example:8080", "Origin: " + origin,
                         "Access-Control-Request-Method: GET"};
    if (!requestHeaders.isEmpty())
        lines.append("Access-Control-Request-Headers: " + requestHeaders);
    const std::optional<Answer> answer = ask({QString::fromUtf8(origin)}, "OPTIONS", lines);
    QVERIFY2(answer, "the request did not reach the handler");
    QCOMPARE(verdictName(answer->verdict), QStringLiteral("Allowed"));
    const Headers expected{{"Access-Control-Allow-Origin", origin},
                           {"Access-Control-Allow-Credentials", "true"},
                           {"Vary", "Origin"},
                           {"Access-Control-Allow-Methods", "GET, OPTIONS"},
                           {"Access-Control-Allow-Headers", allowHeaders},
                           {"Access-Control-Max-Age", "600"}};
    QCOMPARE(answer->preflight, expected);
}

QTEST_GUILESS_MAIN(tst_CorsPolicy)
#include "tst_corspolicy.moc"
