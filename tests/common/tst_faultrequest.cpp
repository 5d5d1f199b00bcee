#include "faultrequest.h"

#include <QJsonDocument>
#include <QTest>

// The fault body the CLI and the console write (toJson) and the server reads (fromJson).
class tst_FaultRequest final : public QObject
{
    Q_OBJECT

private slots:
    void bodyReadsBack_data();
    void bodyReadsBack();
    void defaults();
    void refuses_data();
    void refuses();
};

void tst_FaultRequest::bodyReadsBack_data()
{
    QTest::addColumn<FaultRequest>("request");
    FaultRequest stall;
    stall.durationMs = 1500;
    stall.connection = QStringLiteral("7");
    QTest::newRow("stall") << stall;
    FaultRequest reject;
    reject.type = FaultRequest::Type::Reject;
    reject.status = 503;
    reject.count = 4;
    reject.retryAfterS = 9;
    reject.target.groups = {QStringLiteral("admins")};
    reject.expiresInS = 30;
    QTest::newRow("reject") << reject;
    for (const FaultRequest::Type type : {FaultRequest::Type::Cut, FaultRequest::Type::Duplicate,
                                          FaultRequest::Type::Malformed}) {
        FaultRequest next;
        next.type = type;
        next.target.users = {QStringLiteral("alice")};
        QTest::newRow(qPrintable(FaultRequest::typeName(type))) << next;
    }
}

void tst_FaultRequest::bodyReadsBack()
{
    QFETCH(FaultRequest, request);
    QString error;
    const std::optional<FaultRequest> read = FaultRequest::fromJson(request.toJson(), &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->type, request.type);
    QCOMPARE(read->connection, request.connection);
    QVERIFY(read->target == request.target);
    QCOMPARE(read->durationMs, request.durationMs);
    QCOMPARE(read->status, request.status);
    QCOMPARE(read->count, request.count);
    QCOMPARE(read->retryAfterS, request.retryAfterS);
    QCOMPARE(read->expiresInS, request.expiresInS);
}

void tst_FaultRequest::defaults()
{
    QString error;
    const std::optional<FaultRequest> read =
        FaultRequest::fromJson(QJsonDocument::fromJson(R"({"type": "reject", "status": 204})").object(), &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->count, 1);
    QCOMPARE(read->retryAfterS, 0);
    QCOMPARE(read->expiresInS, FaultRequest::defaultExpiresInS);
    QVERIFY(read->target.isBroadcast());
    QVERIFY(read->connection.isEmpty());
}

void tst_FaultRequest::refuses_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("no type") << QByteArray("{}");
    QTest::newRow("type not a string") << QByteArray(R"({"type": 1})");
    QTest::newRow("duration on a cut") << QByteArray(R"({"type": "cut", "durationMs": 5})");
    QTest::newRow("negative duration") << QByteArray(R"({"type": "stall", "durationMs": -1})");
    QTest::newRow("status 200") << QByteArray(R"({"type": "reject", "status": 200})");
    QTest::newRow("retry with 204") << QByteArray(R"({"type": "reject", "status": 204, "retryAfterS": 1})");
    QTest::newRow("count too big") << QByteArray(R"({"type": "reject", "status": 503, "count": 1000001})");
    QTest::newRow("connection number") << QByteArray(R"({"type": "cut", "connection": 7})");
    QTest::newRow("connection empty") << QByteArray(R"({"type": "cut", "connection": ""})");
    QTest::newRow("expires too late") << QByteArray(R"({"type": "cut", "expiresInS": 86401})");
}

void tst_FaultRequest::refuses()
{
    QFETCH(QByteArray, body);
    QString error;
    QVERIFY(!FaultRequest::fromJson(QJsonDocument::fromJson(body).object(), &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_FaultRequest)
#include "tst_faultrequest.moc"
