// TLS on both listeners (issue 13), against the real binary, with certificates the openssl
// command makes at test time.
#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"
#include "testcertificate.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

// Trusts exactly the certificate in certFile (and the system's CAs).
QSslConfiguration trusting(const QString &certFile)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.addCaCertificates(QSslCertificate::fromPath(certFile));
    return configuration;
}

// One HTTPS request (Connection: close) to localhost; the whole answer.
HttpResponse httpsRequest(quint16 port, const QSslConfiguration &tls, const QByteArray &method,
                          const QByteArray &target, const QByteArray &body = {})
{
    QSslSocket socket;
    socket.setSslConfiguration(tls);
    socket.connectToHostEncrypted(u"localhost"_s, port);
    if (!socket.waitForEncrypted(10000))
        return {};
    socket.write(method + ' ' + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: "
                 + HttpClient::adminAuthorization() + "\r\nContent-Length: " + QByteArray::number(body.size())
                 + "\r\n\r\n" + body);
    QByteArray received;
    HttpClient::readUntil(socket, received, [&received] {
        const HttpResponse response = HttpClient::parse(received);
        const QByteArray length = response.header("Content-Length");
        return response.status != 0 && !length.isEmpty() && response.body.size() >= length.toLongLong();
    });
    return HttpClient::parse(received);
}

// The certificate a new TLS connection to the port is shown.
QSslCertificate certificateShown(quint16 port)
{
    QSslSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    socket.setSslConfiguration(configuration);
    socket.connectToHostEncrypted(u"localhost"_s, port);
    return socket.waitForEncrypted(10000) ? socket.peerCertificate() : QSslCertificate();
}

// Whether the server closes the socket within the time, having sent nothing or junk.
bool closedWithout(QTcpSocket &socket, QByteArray *received, int timeoutMs = 15000)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(50);
        *received += socket.readAll();
    }
    return socket.state() != QAbstractSocket::ConnectedState;
}

} // namespace

class tst_Tls final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void streamOverTls();
    void plainHttpOnTlsPortIsNotServed();
    void unfinishedHandshakeIsClosed();
    void adminAndControlOverTls();
    void certificateReloadedOnSighup();
    void badCredentialsAreConfigurationErrors_data();
    void badCredentialsAreConfigurationErrors();

private:
    QString file(const QString &name) const { return m_dir.filePath(name); }
    QStringList publicTls() const
    {
        return {u"--tls-cert"_s, file(u"server.crt"_s), u"--tls-key"_s, file(u"server.key"_s)};
    }

    QTemporaryDir m_dir;
};

void tst_Tls::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(TestCertificate::make(m_dir.path(), u"server"_s));
    QVERIFY(TestCertificate::make(m_dir.path(), u"other"_s, u"other"_s));
}

// A stream over TLS receives what is pushed; its session cookie is Secure.
void tst_Tls::streamOverTls()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls()), server.output().constData());
    SseClient client;
    client.setTls(trusting(file(u"server.crt"_s)));
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
    QVERIFY(client.header("Set-Cookie").contains("; Secure"));
    QVERIFY(client.waitForBody("id: "));
    QCOMPARE(AdminApi::pushNamed(server.adminPort(), u"greeting"_s, u"over TLS"_s).status, 200);
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().first().data, u"over TLS"_s);
    QCOMPARE(client.messages().first().type, u"greeting"_s);
    QCOMPARE(AdminApi::metric(server.adminPort(), "eventsource_tls_handshakes_total"), 1);
}

// Plain HTTP on the TLS port gets no HTTP answer at all, and is counted.
void tst_Tls::plainHttpOnTlsPortIsNotServed()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls()), server.output().constData());
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, server.publicPort());
    QVERIFY(socket.waitForConnected(10000));
    socket.write("GET /eventsource HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray received;
    QVERIFY(closedWithout(socket, &received));
    QVERIFY2(!received.contains("HTTP/1.1"), received.constData());
    QCOMPARE(AdminApi::metric(server.adminPort(), "eventsource_tls_handshake_failures_total"), 1);
    QCOMPARE(AdminApi::metric(server.adminPort(), "eventsource_connections"), 0);
}

// A client that starts a handshake and never ends it is closed like a slowloris.
void tst_Tls::unfinishedHandshakeIsClosed()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls() + QStringList{u"--request-timeout-ms"_s, u"300"_s}), server.output().constData());
    QTcpSocket silent;
    QTcpSocket halfHello;
    for (QTcpSocket *socket : {&silent, &halfHello}) {
        socket->connectToHost(u"127.0.0.1"_s, server.publicPort());
        QVERIFY(socket->waitForConnected(10000));
    }
    halfHello.write(QByteArray::fromHex("160301020001")); // a ClientHello record announced, never sent
    QByteArray received;
    QVERIFY(closedWithout(silent, &received));
    QVERIFY(closedWithout(halfHello, &received));
    QVERIFY(received.isEmpty());
    QCOMPARE(AdminApi::metric(server.adminPort(), "eventsource_tls_handshake_timeouts_total"), 2);
    // The listener still serves.
    SseClient client;
    client.setTls(trusting(file(u"server.crt"_s)));
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    QCOMPARE(client.status(), 200);
}

// The admin API over https, the control channel over wss, and the CLI with --ca-file.
void tst_Tls::adminAndControlOverTls()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls() + QStringList{u"--admin-tls-cert"_s, file(u"server.crt"_s),
                                                   u"--admin-tls-key"_s, file(u"server.key"_s)}),
             server.output().constData());
    const QSslConfiguration tls = trusting(file(u"server.crt"_s));
    SseClient client;
    client.setTls(tls);
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    QVERIFY(client.waitForBody("id: "));

    const HttpResponse pushed = httpsRequest(server.adminPort(), tls, "POST", "/api/push", R"({"data": "admin TLS"})");
    QCOMPARE(pushed.status, 200);
    QCOMPARE(pushed.json().object().value(u"delivered"_s).toInt(), 1);
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().first().data, u"admin TLS"_s);
    // Plain HTTP on the admin port is not served either.
    QVERIFY(!HttpClient::admin(server.adminPort(), "GET", "/api/stats").status);

    QWebSocket console;
    console.setSslConfiguration(tls);
    QList<QString> messages;
    connect(&console, &QWebSocket::textMessageReceived, this, [&messages](const QString &text) { messages.append(text); });
    QNetworkRequest request(QUrl(u"wss://localhost:%1/control"_s.arg(server.adminPort())));
    request.setRawHeader("Authorization", HttpClient::adminAuthorization());
    console.open(request);
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 10000);
    QVERIFY2(messages.first().contains(u"\"hello\""_s), qPrintable(messages.first()));

    const QStringList cli{u"--admin-url"_s, u"https://localhost:%1"_s.arg(server.adminPort()), u"push"_s, u"from cli"_s};
    QProcess untrusting;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"EVENTSOURCE_ADMIN_TOKEN"_s, QString::fromLatin1(ServerProcess::adminToken));
    untrusting.setProcessEnvironment(environment);
    untrusting.start(QStringLiteral(ESH_CLI_BINARY), cli);
    QVERIFY(untrusting.waitForFinished(30000));
    QCOMPARE(untrusting.exitCode(), 1);
    QVERIFY(untrusting.readAllStandardError().contains("SSL handshake failed"));
    QProcess trusting;
    trusting.setProcessEnvironment(environment);
    trusting.start(QStringLiteral(ESH_CLI_BINARY), QStringList{u"--ca-file"_s, file(u"server.crt"_s)} + cli);
    QVERIFY(trusting.waitForFinished(30000));
    QCOMPARE(trusting.exitCode(), 0);
    QVERIFY(trusting.readAllStandardOutput().startsWith("id="));
    QVERIFY(client.waitForMessages(2));
    QCOMPARE(client.messages().last().data, u"from cli"_s);
}

// SIGHUP loads renewed files for new connections; open streams go on; a renewal that does
// not load leaves the certificate in use.
void tst_Tls::certificateReloadedOnSighup()
{
    for (const QString &suffix : {u".crt"_s, u".key"_s}) {
        QFile::remove(file(u"live"_s + suffix));
        QVERIFY(QFile::copy(file(u"server"_s + suffix), file(u"live"_s + suffix)));
    }
    ServerProcess server;
    QVERIFY2(server.start({u"--tls-cert"_s, file(u"live.crt"_s), u"--tls-key"_s, file(u"live.key"_s)}),
             server.output().constData());
    SseClient client;
    client.setTls(trusting(file(u"server.crt"_s)));
    QVERIFY(client.open(server.publicPort(), "/eventsource"));
    QVERIFY(client.waitForBody("id: "));
    const QSslCertificate first = QSslCertificate::fromPath(file(u"server.crt"_s)).first();
    const QSslCertificate renewed = QSslCertificate::fromPath(file(u"other.crt"_s)).first();
    QCOMPARE(certificateShown(server.publicPort()), first);

    for (const QString &suffix : {u".crt"_s, u".key"_s}) {
        QFile::remove(file(u"live"_s + suffix));
        QVERIFY(QFile::copy(file(u"other"_s + suffix), file(u"live"_s + suffix)));
    }
    ::kill(pid_t(server.process().processId()), SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(certificateShown(server.publicPort()), renewed, 10000);
    QCOMPARE(AdminApi::pushNamed(server.adminPort(), {}, u"after reload"_s).status, 200);
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().first().data, u"after reload"_s);

    QFile broken(file(u"live.crt"_s));
    QVERIFY(broken.open(QIODevice::WriteOnly | QIODevice::Truncate));
    broken.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    broken.close();
    ::kill(pid_t(server.process().processId()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(server.output().contains("not reloaded"), 10000);
    QCOMPARE(certificateShown(server.publicPort()), renewed);
    QVERIFY(server.isRunning());
}

void tst_Tls::badCredentialsAreConfigurationErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");
    QVERIFY(TestCertificate::openssl(m_dir.path(), {u"pkey"_s, u"-in"_s, u"server.key"_s, u"-aes256"_s, u"-passout"_s,
                                                    u"pass:secret"_s, u"-out"_s, u"encrypted.key"_s}));
    QFile garbage(file(u"garbage.pem"_s));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("not a certificate\n");
    garbage.close();
    const QString crt = file(u"server.crt"_s);
    QTest::newRow("encrypted key") << QStringList{u"--tls-cert"_s, crt, u"--tls-key"_s, file(u"encrypted.key"_s)}
                                   << QByteArray("encrypted");
    QTest::newRow("another certificate's key") << QStringList{u"--tls-cert"_s, crt, u"--tls-key"_s, file(u"other.key"_s)}
                                               << QByteArray("does not belong");
    QTest::newRow("no certificate") << QStringList{u"--tls-cert"_s, file(u"garbage.pem"_s), u"--tls-key"_s,
                                                   file(u"server.key"_s)} << QByteArray("no PEM certificate");
    QTest::newRow("missing file") << QStringList{u"--admin-tls-cert"_s, file(u"absent.crt"_s), u"--admin-tls-key"_s,
                                                 file(u"server.key"_s)} << QByteArray("absent.crt");
    QTest::newRow("certificate without key") << QStringList{u"--tls-cert"_s, crt} << QByteArray("go together");
}

void tst_Tls::badCredentialsAreConfigurationErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);
    QProcess process;
    process.start(ServerProcess::binary(), QStringList{u"--listen"_s, u"127.0.0.1:0"_s, u"--admin-listen"_s,
                                                       u"127.0.0.1:0"_s} + arguments);
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 2);
    const QByteArray error = process.readAllStandardError();
    QVERIFY2(error.contains(message), error.constData());
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
