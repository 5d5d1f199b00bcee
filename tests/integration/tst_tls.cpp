// TLS on both listeners (issue 13), against the real binary, with certificates the openssl
// command makes at test time.
#include "adminapi.h"
#include "httpclient.h"
#include "serverprocess.h"
#include "sseclient.h"
#include "testcertificate.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
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

// How many descriptors the process holds.
int descriptors(const QProcess &process)
{
    return int(QDir(u"/proc/%1/fd"_s.arg(process.processId())).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size());
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
    void handshakeHoldsOneDescriptor();
    void requestsThenStreamOnOneConnection();
    void requestLimitsApplyBehindTls();
    void largeBodiesCrossTheRelay();
    void tlsStreamThatDoesNotReadIsDroppedAlone();
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
    QStringList bothTls() const
    {
        return publicTls() + QStringList{u"--admin-tls-cert"_s, file(u"server.crt"_s), u"--admin-tls-key"_s,
                                         file(u"server.key"_s)};
    }
    // Opens a stream over TLS that trusts the test certificate; true once it has its id.
    bool openTrusted(SseClient &client, quint16 port) const
    {
        client.setTls(trusting(file(u"server.crt"_s)));
        return client.open(port, "/eventsource") && client.waitForBody("id: ");
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

// A connection in its handshake costs one descriptor, like a plain one (the relay's socket
// pair comes once a request can be read), and a TLS stream keeps one.
void tst_Tls::handshakeHoldsOneDescriptor()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls()), server.output().constData());
    const int before = descriptors(server.process());
    constexpr int silent = 30;
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < silent; ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(u"127.0.0.1"_s, server.publicPort());
        QVERIFY(sockets.back()->waitForConnected(10000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(descriptors(server.process()) >= before + silent, 10000);
    // One each, with room for what the process opens meanwhile (a relay would take three).
    QVERIFY2(descriptors(server.process()) < before + 2 * silent,
             qPrintable(u"%1 descriptors for %2 handshakes"_s.arg(descriptors(server.process()) - before).arg(silent)));

    constexpr int streams = 10;
    std::vector<std::unique_ptr<SseClient>> clients;
    for (int i = 0; i < streams; ++i) {
        clients.push_back(std::make_unique<SseClient>());
        QVERIFY(openTrusted(*clients.back(), server.publicPort()));
    }
    QTRY_VERIFY_WITH_TIMEOUT(descriptors(server.process()) < before + silent + 2 * streams, 10000);
    QCOMPARE(AdminApi::pushNamed(server.adminPort(), {}, u"to all"_s).status, 200);
    for (const auto &client : clients)
        QVERIFY(client->waitForMessages(1));
}

// Requests answered through the relay, then a stream on the same connection: what was
// written before the stream reaches the client before the stream's head.
void tst_Tls::requestsThenStreamOnOneConnection()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls()), server.output().constData());
    QSslSocket socket;
    socket.setSslConfiguration(trusting(file(u"server.crt"_s)));
    socket.connectToHostEncrypted(u"localhost"_s, server.publicPort());
    QVERIFY(socket.waitForEncrypted(10000));
    // Two pipelined answers (not found), then the stream.
    socket.write("GET /elsewhere HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 "GET /elsewhere HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QByteArray received;
    HttpClient::readUntil(socket, received, [&received] { return received.count("HTTP/1.1 404") == 2
                                                                 && received.endsWith("}\n"); });
    const qsizetype answers = received.size();
    QCOMPARE(received.count("HTTP/1.1 404"), 2);
    socket.write("GET /eventsource HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
    HttpClient::readUntil(socket, received, [&received] { return received.contains("id: "); });
    QVERIFY(received.indexOf("text/event-stream") > answers);
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 1));
    QCOMPARE(AdminApi::pushNamed(server.adminPort(), {}, u"after answers"_s).status, 200);
    HttpClient::readUntil(socket, received, [&received] { return received.contains("data: after answers"); });
    QVERIFY(received.contains("data: after answers"));
}

// The request guards see the decrypted bytes: a head over --max-header-kb gets 431, a request
// left unfinished 408, each answered over TLS before the close.
void tst_Tls::requestLimitsApplyBehindTls()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls() + QStringList{u"--max-header-kb"_s, u"1"_s, u"--request-timeout-ms"_s, u"300"_s}),
             server.output().constData());
    const auto answerTo = [&](const QByteArray &request) {
        QSslSocket socket;
        socket.setSslConfiguration(trusting(file(u"server.crt"_s)));
        socket.connectToHostEncrypted(u"localhost"_s, server.publicPort());
        if (!socket.waitForEncrypted(10000))
            return QByteArray();
        socket.write(request);
        QByteArray received;
        closedWithout(socket, &received);
        return received;
    };
    const QByteArray large = answerTo("GET /eventsource HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                                      + QByteArray(4096, 'a') + "\r\n\r\n");
    QVERIFY2(large.startsWith("HTTP/1.1 431"), large.constData());
    const QByteArray unfinished = answerTo("GET /eventsource HTTP/1.1\r\nHost: local");
    QVERIFY2(unfinished.startsWith("HTTP/1.1 408"), unfinished.constData());
    QCOMPARE(AdminApi::metric(server.adminPort(), "eventsource_tls_handshakes_total"), 2);
}

// A request body and an answer, each larger than the relay holds at once, arrive whole.
void tst_Tls::largeBodiesCrossTheRelay()
{
    ServerProcess server;
    QVERIFY2(server.start(bothTls() + QStringList{u"--max-event-kb"_s, u"60"_s}), server.output().constData());
    const QSslConfiguration tls = trusting(file(u"server.crt"_s));
    SseClient client;
    QVERIFY(openTrusted(client, server.publicPort()));
    // Quotes are escaped in JSON: a body of about 120 KB for an event of 60 KB.
    const QByteArray data(60000, '"');
    const QByteArray escaped = QByteArray(data).replace("\"", "\\\"");
    const HttpResponse pushed = httpsRequest(server.adminPort(), tls, "POST", "/api/push",
                                             "{\"data\": \"" + escaped + "\"}");
    QCOMPARE(pushed.status, 200);
    QVERIFY(client.waitForMessages(1));
    QCOMPARE(client.messages().first().data.toUtf8(), data);
    // The answer side: the listing of a few hundred streams.
    constexpr int streams = 600;
    std::vector<std::unique_ptr<QSslSocket>> sockets;
    for (int i = 0; i < streams; ++i) {
        sockets.push_back(std::make_unique<QSslSocket>());
        sockets.back()->setSslConfiguration(tls);
        sockets.back()->connectToHostEncrypted(u"localhost"_s, server.publicPort());
    }
    for (const auto &socket : sockets) {
        QVERIFY(socket->waitForEncrypted(10000));
        socket->write("GET /eventsource HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(socket->waitForBytesWritten(10000));
    }
    // The admin listener speaks TLS here too.
    QTRY_COMPARE_WITH_TIMEOUT(httpsRequest(server.adminPort(), tls, "GET", "/api/stats")
                                  .json().object().value(u"connections"_s).toInt(), streams + 1, 20000);
    const HttpResponse listed = httpsRequest(server.adminPort(), tls, "GET", "/api/connections");
    QCOMPARE(listed.status, 200);
    QVERIFY2(listed.body.size() > 128 * 1024, qPrintable(QString::number(listed.body.size())));
    QCOMPARE(listed.json().object().value(u"connections"_s).toArray().size(), streams + 1);
}

// A TLS stream that reads nothing is dropped once past --max-buffer-kb; a stream beside it
// gets every event.
void tst_Tls::tlsStreamThatDoesNotReadIsDroppedAlone()
{
    ServerProcess server;
    QVERIFY2(server.start(publicTls() + QStringList{u"--max-buffer-kb"_s, u"64"_s, u"--max-event-kb"_s, u"64"_s}),
             server.output().constData());
    SseClient reader;
    QVERIFY(openTrusted(reader, server.publicPort()));

    QSslSocket slow;
    slow.setSslConfiguration(trusting(file(u"server.crt"_s)));
    slow.setReadBufferSize(1);
    slow.connectToHostEncrypted(u"localhost"_s, server.publicPort());
    QVERIFY(slow.waitForEncrypted(10000));
    slow.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    slow.write("GET /eventsource HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
    QVERIFY(slow.waitForBytesWritten(5000));
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 2));

    const QByteArray data(32 * 1024, 'x');
    qint64 dropped = 0;
    int pushes = 0;
    for (; pushes < 800 && dropped == 0; ++pushes) {
        QCOMPARE(AdminApi::push(server.adminPort(), "{\"data\":\"" + data + "\"}").status, 200);
        QVERIFY(reader.waitForMessages(pushes + 1));
        dropped = AdminApi::stats(server.adminPort()).value(u"droppedSlowConsumers"_s).toInteger(-1);
    }
    QCOMPARE(dropped, 1);
    QVERIFY(AdminApi::waitForStat(server.adminPort(), u"connections"_s, 1));
    QVERIFY(!reader.isClosed());
    QCOMPARE(reader.messages().size(), pushes);
    QCOMPARE(reader.messages().last().data.size(), data.size());
}

// The admin API over https, the control channel over wss, and the CLI with --ca-file.
void tst_Tls::adminAndControlOverTls()
{
    ServerProcess server;
    QVERIFY2(server.start(bothTls()), server.output().constData());
    const QSslConfiguration tls = trusting(file(u"server.crt"_s));
    SseClient client;
    QVERIFY(openTrusted(client, server.publicPort()));

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
    QVERIFY(openTrusted(client, server.publicPort()));
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
