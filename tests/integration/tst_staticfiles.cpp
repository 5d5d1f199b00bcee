// The public listener's built-in files (StaticEndpoint): the client helper at
// /eventsource-hub.js always, the demo page at /demo only with --demo.
#include "httpclient.h"
#include "serverprocess.h"

#include <QFile>
#include <QTest>

using namespace Qt::StringLiterals;

class tst_StaticFiles : public QObject
{
    Q_OBJECT

private slots:
    void helperIsTheSourceFile();
    void demoNeedsTheFlag();
    void demoPage_data();
    void demoPage();
    void demoPageNamesTheStreamPath();
    void onlyGet_data();
    void onlyGet();
};

namespace {

QByteArray sourceFile(const char *path)
{
    QFile file(QStringLiteral(ESH_SOURCE_DIR "/") + QLatin1String(path));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", path);
    return file.readAll();
}

} // namespace

void tst_StaticFiles::helperIsTheSourceFile()
{
    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    const HttpResponse response = HttpClient::request(server.publicPort(), "GET", "/eventsource-hub.js");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), "text/javascript; charset=utf-8");
    QCOMPARE(response.header("x-content-type-options"), "nosniff");
    QCOMPARE(response.body, sourceFile("resources/js/eventsource-hub.js"));
}

void tst_StaticFiles::demoNeedsTheFlag()
{
    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    for (const QByteArray path : {"/demo", "/demo/", "/demo/demo.js", "/demo/demo.css"})
        QCOMPARE(HttpClient::request(server.publicPort(), "GET", path).status, 404);
}

void tst_StaticFiles::demoPage_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("source");

    QTest::addRow("page") << "/demo"_ba << "text/html; charset=utf-8"_ba << "resources/demo/index.html"_ba;
    QTest::addRow("page, with a slash") << "/demo/"_ba << "text/html; charset=utf-8"_ba
                                        << "resources/demo/index.html"_ba;
    QTest::addRow("script") << "/demo/demo.js"_ba << "text/javascript; charset=utf-8"_ba
                            << "resources/demo/demo.js"_ba;
    QTest::addRow("style") << "/demo/demo.css"_ba << "text/css; charset=utf-8"_ba << "resources/demo/demo.css"_ba;
}

void tst_StaticFiles::demoPage()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, source);

    ServerProcess server;
    QVERIFY2(server.start({u"--demo"_s}), server.output().constData());
    const HttpResponse response = HttpClient::request(server.publicPort(), "GET", path);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), contentType);
    QByteArray expected = sourceFile(source.constData());
    expected.replace("@STREAM_PATH@", "/eventsource");
    QCOMPARE(response.body, expected);
    if (contentType.startsWith("text/html")) {
        // The page runs its own script only and talks to its own origin only.
        const QByteArray policy = response.header("content-security-policy");
        QVERIFY2(policy.contains("default-src 'none'"), policy.constData());
        QVERIFY2(policy.contains("script-src 'self'"), policy.constData());
        QVERIFY2(policy.contains("connect-src 'self'"), policy.constData());
    }
}

void tst_StaticFiles::demoPageNamesTheStreamPath()
{
    ServerProcess server;
    QVERIFY2(server.start({u"--demo"_s, u"--path"_s, u"/live&push"_s}), server.output().constData());
    const HttpResponse page = HttpClient::request(server.publicPort(), "GET", "/demo");
    QCOMPARE(page.status, 200);
    QVERIFY2(page.body.contains(R"(<meta name="eventsource-path" content="/live&amp;push">)"), page.body.constData());
    QVERIFY(!page.body.contains("@STREAM_PATH@"));
}

void tst_StaticFiles::onlyGet_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("path");

    QTest::addRow("POST helper") << "POST"_ba << "/eventsource-hub.js"_ba;
    QTest::addRow("DELETE helper") << "DELETE"_ba << "/eventsource-hub.js"_ba;
    QTest::addRow("POST demo") << "POST"_ba << "/demo"_ba;
    QTest::addRow("PUT demo script") << "PUT"_ba << "/demo/demo.js"_ba;
}

void tst_StaticFiles::onlyGet()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, path);

    ServerProcess server;
    QVERIFY2(server.start({u"--demo"_s}), server.output().constData());
    const HttpResponse response = HttpClient::request(server.publicPort(), method, path);
    QCOMPARE(response.status, 405);
    QCOMPARE(response.header("allow"), "GET");
    // The server is still fine for the next request on a new connection.
    QCOMPARE(HttpClient::request(server.publicPort(), "GET", path).status, 200);
}

QTEST_GUILESS_MAIN(tst_StaticFiles)
#include "tst_staticfiles.moc"
