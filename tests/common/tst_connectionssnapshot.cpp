#include "connectionssnapshot.h"

#include <QTest>

// The snapshot's pages as the server writes them and the console reads them.
class tst_ConnectionsSnapshot final : public QObject
{
    Q_OBJECT

private slots:
    void pagesCoverEveryRecordOnce();
    void emptySnapshotIsOneLastPage();
    void readsBack();
    void otherMessagesAreNotSnapshots();
};

namespace {

QJsonArray records(int count)
{
    QJsonArray all;
    for (int i = 0; i < count; ++i) {
        ConnectionRecord record;
        record.id = QString::number(i + 1);
        record.session = QStringLiteral("s%1").arg(i);
        all.append(record.toJson());
    }
    return all;
}

} // namespace

void tst_ConnectionsSnapshot::pagesCoverEveryRecordOnce()
{
    const QList<ConnectionsSnapshot> pages = ConnectionsSnapshot::pages(records(1201), 500);
    QCOMPARE(pages.size(), 3);
    QCOMPARE(pages[0].connections.size(), 500);
    QCOMPARE(pages[2].connections.size(), 201);
    for (qsizetype i = 0; i < pages.size(); ++i) {
        QCOMPARE(pages[i].total, 1201);
        QCOMPARE(pages[i].last, i == 2);
    }
    QCOMPARE(pages[2].records().last().id, QStringLiteral("1201"));
}

void tst_ConnectionsSnapshot::emptySnapshotIsOneLastPage()
{
    const QList<ConnectionsSnapshot> pages = ConnectionsSnapshot::pages({}, 500);
    QCOMPARE(pages.size(), 1);
    QVERIFY(pages[0].last);
    QCOMPARE(pages[0].total, 0);
}

void tst_ConnectionsSnapshot::readsBack()
{
    const ConnectionsSnapshot page = ConnectionsSnapshot::pages(records(3), 2).first();
    const QJsonObject message = page.toJson();
    QCOMPARE(message.value(QStringLiteral("type")).toString(), QStringLiteral("connections.snapshot"));
    const std::optional<ConnectionsSnapshot> read = ConnectionsSnapshot::fromJson(message);
    QVERIFY(read);
    QCOMPARE(read->total, 3);
    QCOMPARE(read->last, false);
    QCOMPARE(read->records().size(), 2);
    QCOMPARE(read->records().first().session, QStringLiteral("s0"));
}

void tst_ConnectionsSnapshot::otherMessagesAreNotSnapshots()
{
    QVERIFY(!ConnectionsSnapshot::fromJson({{QStringLiteral("type"), QStringLiteral("connections.batch")}}));
    QVERIFY(!ConnectionsSnapshot::fromJson({}));
}

QTEST_GUILESS_MAIN(tst_ConnectionsSnapshot)
#include "tst_connectionssnapshot.moc"
