#include "tlstestclient.h"

#include <QTest>

// TlsSession against an OpenSSL client on memory buffers: handshake, records both ways,
// ALPN, close_notify, and what a client may send instead of TLS.
class tst_TlsSession : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exchangesRecords_data();
    void exchangesRecords();
    void alpnPrefersOurOrder_data();
    void alpnPrefersOurOrder();
    void tlsBelow12IsRefused();
    void plainHttpIsRefused();
    void brokenRecordIsRefused();
    void closeNotifyBothWays();
    void nothingIsEncryptedBeforeTheHandshake();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const TlsContext> m_context;
};

void tst_TlsSession::initTestCase()
{
    m_context = TlsTestClient::serverContext(m_dir, {"h2", "http/1.1"});
    QVERIFY(m_context);
}

void tst_TlsSession::exchangesRecords_data()
{
    QTest::addColumn<int>("maxVersion");
    QTest::addColumn<QByteArray>("version");
    QTest::newRow("TLS 1.3") << 0 << QByteArray("TLSv1.3");
    QTest::newRow("TLS 1.2") << int(TLS1_2_VERSION) << QByteArray("TLSv1.2");
}

void tst_TlsSession::exchangesRecords()
{
    QFETCH(int, maxVersion);
    QFETCH(QByteArray, version);
    TlsSession server(m_context);
    TlsTestClient client({}, maxVersion);
    QVERIFY(server.isValid());
    QVERIFY(client.handshake(server));
    QCOMPARE(client.version(), version);

    QByteArray plain;
    QByteArray cipher;
    QVERIFY(server.receive(client.encrypt("GET / HTTP/1.1\r\n\r\n"), &plain, &cipher));
    QCOMPARE(plain, QByteArray("GET / HTTP/1.1\r\n\r\n"));
    client.give(cipher);

    // More than one record's worth (16 KiB), in one call.
    const QByteArray large = QByteArray(100000, 'x') + "end";
    QByteArray out;
    QVERIFY(server.encrypt(large, &out));
    QVERIFY(!out.contains(QByteArray(64, 'x'))); // encrypted: no run of the plain text left
    QCOMPARE(client.decrypt(out), large);

    // Input split at every byte still decrypts whole.
    const QByteArray records = client.encrypt("data: split\n\n");
    plain.clear();
    for (const char byte : records)
        QVERIFY(server.receive(QByteArrayView(&byte, 1), &plain, &cipher));
    QCOMPARE(plain, QByteArray("data: split\n\n"));
}

void tst_TlsSession::alpnPrefersOurOrder_data()
{
    QTest::addColumn<QByteArray>("offered");
    QTest::addColumn<QByteArray>("chosen");
    QTest::newRow("http/1.1 first, h2 too") << QByteArray("\x08http/1.1\x02h2") << QByteArray("h2");
    QTest::newRow("http/1.1 only") << QByteArray("\x08http/1.1") << QByteArray("http/1.1");
    QTest::newRow("none of ours") << QByteArray("\x06spdy/3") << QByteArray();
    QTest::newRow("no ALPN") << QByteArray() << QByteArray();
}

void tst_TlsSession::alpnPrefersOurOrder()
{
    QFETCH(QByteArray, offered);
    QFETCH(QByteArray, chosen);
    TlsSession server(m_context);
    TlsTestClient client(offered);
    QVERIFY(client.handshake(server));
    QCOMPARE(server.protocol(), chosen);
}

void tst_TlsSession::tlsBelow12IsRefused()
{
    TlsSession server(m_context);
    TlsTestClient client({}, TLS1_1_VERSION);
    QVERIFY(!client.handshake(server));
    QVERIFY(!server.isEstablished());
    QVERIFY(!server.error().isEmpty());
}

void tst_TlsSession::plainHttpIsRefused()
{
    TlsSession server(m_context);
    QByteArray plain;
    QByteArray cipher;
    QVERIFY(!server.receive("GET /eventsource HTTP/1.1\r\nHost: x\r\n\r\n", &plain, &cipher));
    QVERIFY(plain.isEmpty());
    QVERIFY(!server.isEstablished());
    QVERIFY2(server.error().contains(QStringLiteral("http request")), qPrintable(server.error()));
    // Refused for good.
    QVERIFY(!server.receive("more", &plain, &cipher));
}

void tst_TlsSession::brokenRecordIsRefused()
{
    TlsSession server(m_context);
    TlsTestClient client;
    QVERIFY(client.handshake(server));
    QByteArray records = client.encrypt("hello");
    records[records.size() - 1] = char(records.back() ^ 0x01); // the tag no longer matches
    QByteArray plain;
    QByteArray cipher;
    QVERIFY(!server.receive(records, &plain, &cipher));
    QVERIFY(plain.isEmpty());
    QVERIFY(!cipher.isEmpty()); // the alert
    QVERIFY(!server.encrypt("after", &cipher));
}

void tst_TlsSession::closeNotifyBothWays()
{
    TlsSession server(m_context);
    TlsTestClient client;
    QVERIFY(client.handshake(server));
    QByteArray cipher;
    server.close(&cipher);
    bool closed = false;
    QVERIFY(client.decrypt(cipher, &closed).isEmpty());
    QVERIFY(closed);

    TlsSession other(m_context);
    TlsTestClient leaving;
    QVERIFY(leaving.handshake(other));
    QByteArray plain;
    QByteArray records = leaving.encrypt("last");
    records += leaving.closeNotify();
    QVERIFY2(other.receive(records, &plain, &cipher), qPrintable(other.error()));
    QCOMPARE(plain, QByteArray("last"));
    QVERIFY(other.peerClosed());
}

void tst_TlsSession::nothingIsEncryptedBeforeTheHandshake()
{
    TlsSession server(m_context);
    QByteArray cipher;
    QVERIFY(!server.encrypt("early", &cipher));
    QVERIFY(cipher.isEmpty());
}

QTEST_GUILESS_MAIN(tst_TlsSession)
#include "tst_tlssession.moc"
