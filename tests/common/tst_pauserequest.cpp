#include "pauserequest.h"

#include <QJsonArray>
#include <QTest>

// The pause body as the CLI and the console write it and the server reads it.
class tst_PauseRequest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyone();
    void targetAndExceptions();
    void refused_data();
    void refused();
};

void tst_PauseRequest::everyone()
{
    const QJsonObject body = PauseRequest::body(5000);
    QCOMPARE(body, (QJsonObject{{QStringLiteral("delay"), 5000}}));
    QString error;
    const std::optional<PauseRequest> read = PauseRequest::fromJson(body, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->delayMs, 5000);
    QVERIFY(read->target.isBroadcast());
    QVERIFY(read->exceptGroups.isEmpty());
}

void tst_PauseRequest::targetAndExceptions()
{
    const QJsonObject target{{QStringLiteral("groups"), QJsonArray{QStringLiteral("staff")}}};
    const QJsonObject body = PauseRequest::body(100, target, {QStringLiteral("admins")});
    QString error;
    const std::optional<PauseRequest> read = PauseRequest::fromJson(body, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->delayMs, 100);
    QCOMPARE(read->target.groups, QStringList{QStringLiteral("staff")});
    QCOMPARE(read->exceptGroups, QStringList{QStringLiteral("admins")});
}

void tst_PauseRequest::refused_data()
{
    QTest::addColumn<qint64>("delay");
    QTest::newRow("negative") << qint64(-1);
    QTest::newRow("over a day") << qint64(PauseRequest::maxDelayMs) + 1;
    QTest::newRow("past 32 bits") << (qint64(1) << 33);
}

void tst_PauseRequest::refused()
{
    QFETCH(qint64, delay);
    QString error;
    QVERIFY(!PauseRequest::fromJson(PauseRequest::body(delay), &error));
    QVERIFY(error.contains(QStringLiteral("delay")));
}

QTEST_GUILESS_MAIN(tst_PauseRequest)
#include "tst_pauserequest.moc"
