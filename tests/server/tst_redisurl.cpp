#include "redisurl.h"

#include <QTest>

class tst_RedisUrl final : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void displayHidesPassword();
};

void tst_RedisUrl::accepted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("socket");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("db");

    QTest::addRow("host and port") << "redis://127.0.0.1:6380" << "127.0.0.1" << 6380 << "" << "" << "" << 0;
    QTest::addRow("default port") << "redis://cache" << "cache" << 6379 << "" << "" << "" << 0;
    QTest::addRow("database") << "redis://cache:6379/5" << "cache" << 6379 << "" << "" << "" << 5;
    QTest::addRow("password only") << "redis://:p%40ss@cache:1" << "cache" << 1 << "" << "" << "p@ss" << 0;
    QTest::addRow("user and password") << "redis://hub:pw@cache:1/2" << "cache" << 1 << "" << "hub" << "pw" << 2;
    QTest::addRow("ipv6") << "redis://[::1]:7000" << "::1" << 7000 << "" << "" << "" << 0;
    QTest::addRow("unix socket") << "unix:///run/redis/redis.sock" << "" << 6379 << "/run/redis/redis.sock" << ""
                                 << "" << 0;
    QTest::addRow("unix socket, db") << "unix:///tmp/r.sock?db=4" << "" << 6379 << "/tmp/r.sock" << "" << "" << 4;
}

void tst_RedisUrl::accepted()
{
    QFETCH(QString, text);
    QString error;
    const std::optional<RedisUrl> url = RedisUrl::parse(text, &error);
    QVERIFY2(url, qPrintable(error));
    QTEST(url->host, "host");
    QTEST(url->port, "port");
    QTEST(url->socketPath, "socket");
    QTEST(url->user, "user");
    QTEST(url->password, "password");
    QTEST(url->db, "db");
}

void tst_RedisUrl::refused_data()
{
    QTest::addColumn<QString>("text");

    QTest::addRow("empty") << "";
    QTest::addRow("no scheme") << "127.0.0.1:6379";
    QTest::addRow("http") << "http://cache:6379";
    QTest::addRow("rediss (TLS) is not supported") << "rediss://cache:6379";
    QTest::addRow("no host") << "redis://:6379";
    QTest::addRow("port out of range") << "redis://cache:70000";
    QTest::addRow("db not a number") << "redis://cache:6379/x";
    QTest::addRow("negative db") << "redis://cache:6379/-1";
    QTest::addRow("query") << "redis://cache:6379?db=1";
    QTest::addRow("unix without path") << "unix://";
    QTest::addRow("unix with a host") << "unix://host/tmp/r.sock";
}

void tst_RedisUrl::refused()
{
    QFETCH(QString, text);
    QString error;
    QVERIFY(!RedisUrl::parse(text, &error));
    QVERIFY(!error.isEmpty());
}

void tst_RedisUrl::displayHidesPassword()
{
    QString error;
    const std::optional<RedisUrl> url = RedisUrl::parse(QStringLiteral("redis://hub:hunter2@cache:1/2"), &error);
    QVERIFY(url);
    QVERIFY(!url->display().contains(QLatin1String("hunter2")));
    QCOMPARE(url->display(), QStringLiteral("redis://hub:***@cache:1/2"));
}

QTEST_GUILESS_MAIN(tst_RedisUrl)
#include "tst_redisurl.moc"
