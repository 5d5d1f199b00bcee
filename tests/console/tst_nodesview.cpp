#include "nodesview.h"

#include <QApplication>
#include <QJsonObject>
#include <QLabel>
#include <QTest>

class tst_NodesView final : public QObject
{
    Q_OBJECT

private slots:
    void clusterNodes();
    void standaloneServer();
};

void tst_NodesView::clusterNodes()
{
    NodesView view;
    const qint64 beat = QDateTime(QDate(2026, 12, 3), QTime(7, 30, 15)).toMSecsSinceEpoch();
    view.setNodes({QJsonObject{{QStringLiteral("id"), QStringLiteral("node1")}, {QStringLiteral("connections"), 12},
                               {QStringLiteral("heartbeatAt"), beat}},
                   QJsonObject{{QStringLiteral("id"), QStringLiteral("node0")}, {QStringLiteral("connections"), 3},
                               {QStringLiteral("heartbeatAt"), beat}}});
    QCOMPARE(view.rowCount(), 2);
    QCOMPARE(view.cell(0, 0), QStringLiteral("node1"));
    QCOMPARE(view.cell(0, 1), QStringLiteral("12"));
    QCOMPARE(view.cell(0, 2), QStringLiteral("07:30:15"));
    QCOMPARE(view.cell(0, 3), QStringLiteral("this console's server"));
    QCOMPARE(view.cell(1, 3), QStringLiteral("live"));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("nodesSummary"))->text(), QStringLiteral("2 nodes, 15 streams"));
    // Fewer nodes later: the rows follow.
    view.setNodes({QJsonObject{{QStringLiteral("id"), QStringLiteral("node1")}, {QStringLiteral("connections"), 1}}},
                  QStringLiteral("other nodes not listed: timeout"));
    QCOMPARE(view.rowCount(), 1);
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("nodesSummary"))->text().endsWith(QLatin1String("timeout")));
}

void tst_NodesView::standaloneServer()
{
    NodesView view;
    view.setNodes({QJsonObject{{QStringLiteral("id"), QStringLiteral("standalone")}, {QStringLiteral("connections"), 1}}});
    QCOMPARE(view.rowCount(), 1);
    QCOMPARE(view.cell(0, 2), QStringLiteral("—"));
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("nodesSummary"))->text(), QStringLiteral("1 node, 1 stream"));
}

QTEST_MAIN(tst_NodesView)
#include "tst_nodesview.moc"
