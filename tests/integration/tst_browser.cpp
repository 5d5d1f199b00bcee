// A real browser against the real binary (issue 13): headless Chromium (Debian chromium)
// loads a page that opens ten EventSources to one origin over TLS. Over HTTP/1.1 it would
// hold at most six connections to that origin, so four would hang; over HTTP/2 all ten open
// and receive. The page reports to the little page server of this test with fetch().
#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "testcertificate.h"

#include <QJsonArray>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

constexpr int streams = 10;

// Serves the page at / and records every other request target (the page's reports).
class PageServer final : public QObject
{
public:
    explicit PageServer(QByteArray page)
        : m_page(std::move(page))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QIODevice::readyRead, socket, [this, socket] { serve(socket); });
                connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost);
    }
    quint16 port() const { return m_server.serverPort(); }
    QString origin() const { return u"http://127.0.0.1:%1"_s.arg(port()); }
    // The report targets received so far, e.g. "/opened?i=3".
    const QList<QByteArray> &reports() const { return m_reports; }
    QSet<QByteArray> reportsStarting(const QByteArray &prefix) const
    {
        QSet<QByteArray> found;
        for (const QByteArray &report : m_reports) {
            if (report.startsWith(prefix))
                found.insert(report);
        }
        return found;
    }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &received = m_buffers[socket];
        received += socket->readAll();
        qsizetype end;
        while ((end = received.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray target = received.left(received.indexOf("\r\n")).split(' ').value(1);
            received.remove(0, end + 4);
            const bool isPage = target == "/";
            if (!isPage)
                m_reports.append(target);
            const QByteArray body = isPage ? m_page : QByteArray();
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nCache-Control: no-store\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        }
    }

    QTcpServer m_server;
    QByteArray m_page;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<QByteArray> m_reports;
};

} // namespace

class TestBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tenEventSourcesOverHttp2();
};

void TestBrowser::tenEventSourcesOverHttp2()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(TestCertificate::make(dir.path(), u"server"_s));

    // The page's own origin must be allowed before the server starts: the page server
    // listens first, and the page learns the server's port from its URL's fragment.
    PageServer pages(R"(<!doctype html><title>ten streams</title><script>
const port = location.hash.slice(1);
for (let i = 0; i < 10; ++i) {
  const source = new EventSource(`https://localhost:${port}/eventsource`);
  source.onopen = () => fetch(`/opened?i=${i}`);
  source.onmessage = (event) => fetch(`/got?i=${i}&data=${encodeURIComponent(event.data)}`);
}
</script>)");
    QVERIFY(pages.port() != 0);
    ServerProcess server;
    QVERIFY2(server.start({u"--tls-cert"_s, dir.filePath(u"server.crt"_s), u"--tls-key"_s,
                           dir.filePath(u"server.key"_s), u"--allow-origin"_s, pages.origin()}),
             server.output().constData());

    QProcess chromium;
    chromium.setProcessChannelMode(QProcess::MergedChannels);
    // No sandbox: CI runs as root. /tmp instead of /dev/shm, which containers keep small.
    chromium.start(u"chromium"_s, {u"--headless"_s, u"--no-sandbox"_s, u"--disable-gpu"_s, u"--no-first-run"_s,
                                   u"--disable-dev-shm-usage"_s, u"--ignore-certificate-errors"_s,
                                   u"--user-data-dir="_s + dir.filePath(u"profile"_s),
                                   pages.origin() + u"/#"_s + QString::number(server.publicPort())});
    QVERIFY2(chromium.waitForStarted(30000), "chromium did not start (Debian package chromium)");
    const auto stopChromium = qScopeGuard([&chromium] {
        chromium.kill();
        chromium.waitForFinished(10000);
    });

    QVERIFY2(QTest::qWaitFor([&] { return pages.reportsStarting("/opened").size() == streams; }, 60000),
             qPrintable(u"opened: %1; chromium said: %2"_s.arg(pages.reportsStarting("/opened").size())
                            .arg(QString::fromLocal8Bit(chromium.readAll().right(2000)))));
    const QJsonArray listed =
        HttpClient::admin(server.adminPort(), "GET", "/api/connections").json().object().value(u"connections").toArray();
    QCOMPARE(listed.size(), streams);
    for (const QJsonValue &record : listed) {
        QCOMPARE(record[u"protocol"].toString(), u"h2"_s);
        QVERIFY(record[u"userAgent"].toString().contains(u"Chrome"_s));
    }
    // Ten streams on at most six connections: some carry several streams. (Not knowing yet
    // that the origin speaks h2, Chromium may open up to its six connections at once and
    // then spreads the streams over the h2 sessions it got.)
    const qint64 connections = AdminApi::metric(server.adminPort(), "eventsource_h2_connections_total");
    QVERIFY2(connections >= 1 && connections <= 6, qPrintable(QString::number(connections)));

    QCOMPARE(AdminApi::pushNamed(server.adminPort(), {}, u"to the browser"_s).status, 200);
    QVERIFY(QTest::qWaitFor([&] { return pages.reportsStarting("/got").size() == streams; }, 30000));
    for (const QByteArray &report : pages.reportsStarting("/got"))
        QVERIFY2(report.endsWith("&data=to%20the%20browser"), report.constData());
}

QTEST_GUILESS_MAIN(TestBrowser)
#include "tst_browser.moc"
