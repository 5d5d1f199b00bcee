#include "connectionmodel.h"
#include "connectionsview.h"
#include "connectiontreemodel.h"
#include "faultdialog.h"

#include <QAction>
#include <QComboBox>
#include <QMenu>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

namespace {

ConnectionRecord record(const QString &id, const QString &user, const QStringList &groups)
{
    ConnectionRecord record;
    record.id = id;
    record.session = QStringLiteral("s-") + id;
    record.userId = user;
    record.groups = groups;
    return record;
}

QAction *actionNamed(QMenu *menu, const QString &prefix)
{
    for (QAction *action : menu->actions()) {
        if (action->text().remove(u'&').startsWith(prefix))
            return action;
    }
    return nullptr;
}

QMenu *faultMenu(QMenu *menu)
{
    return menu->findChild<QMenu *>(QStringLiteral("faultMenu"));
}

} // namespace

// The connections view's "Test fault" menu (on a stream row and on a group row) and the
// dialog that sets the fault's parameters.
class tst_FaultMenu final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void disabledWithoutTestFaults();
    void streamRowAsksForItsConnection();
    void groupRowAsksForTheGroup();
    void dialogEnablesTheTypeParameters();
    void dialogBuildsTheRequest_data();
    void dialogBuildsTheRequest();

private:
    std::unique_ptr<ConnectionModel> m_model;
    std::unique_ptr<ConnectionsView> m_view;
};

void tst_FaultMenu::init()
{
    m_model = std::make_unique<ConnectionModel>();
    m_model->resetRecords({record(QStringLiteral("7"), QStringLiteral("alice"), {QStringLiteral("Ops")})});
    m_view = std::make_unique<ConnectionsView>(m_model.get());
}

void tst_FaultMenu::disabledWithoutTestFaults()
{
    const std::unique_ptr<QMenu> menu = m_view->contextMenu(m_model->index(0, 0));
    QVERIFY(menu);
    QMenu *faults = faultMenu(menu.get());
    QVERIFY(faults);
    QVERIFY(!faults->isEnabled());
    QVERIFY(faults->title().contains(QStringLiteral("--test-faults")));
}

void tst_FaultMenu::streamRowAsksForItsConnection()
{
    m_view->setFaultsEnabled(true);
    const std::unique_ptr<QMenu> menu = m_view->contextMenu(m_model->index(0, 0));
    QMenu *faults = faultMenu(menu.get());
    QVERIFY(faults && faults->isEnabled());
    QCOMPARE(faults->actions().size(), 5);
    QSignalSpy requested(m_view.get(), &ConnectionsView::faultRequested);
    QAction *stall = actionNamed(faults, QStringLiteral("Stall"));
    QVERIFY(stall);
    stall->trigger();
    QCOMPARE(requested.count(), 1);
    const auto draft = requested.first().first().value<FaultRequest>();
    QCOMPARE(draft.type, FaultRequest::Type::Stall);
    QCOMPARE(draft.connection, QStringLiteral("7"));
    QVERIFY(draft.target.isBroadcast());
    QVERIFY(requested.first().at(1).toString().contains(QStringLiteral("stream 7")));
}

void tst_FaultMenu::groupRowAsksForTheGroup()
{
    m_view->setFaultsEnabled(true);
    ConnectionTreeModel *tree = m_view->tree();
    tree->setGrouping(ConnectionTreeModel::Grouping::ByGroup);
    QModelIndex group;
    for (int row = 0; row < tree->rowCount(); ++row) {
        if (tree->index(row, 0).data(ConnectionTreeModel::KeyRole).toString() == QLatin1String("Ops"))
            group = tree->index(row, 0);
    }
    QVERIFY(group.isValid());
    const std::unique_ptr<QMenu> menu = m_view->contextMenu(group);
    QVERIFY(menu);
    QSignalSpy requested(m_view.get(), &ConnectionsView::faultRequested);
    QAction *reject = actionNamed(faultMenu(menu.get()), QStringLiteral("Reject"));
    QVERIFY(reject);
    reject->trigger();
    const auto draft = requested.first().first().value<FaultRequest>();
    QCOMPARE(draft.type, FaultRequest::Type::Reject);
    QVERIFY(draft.connection.isEmpty());
    QCOMPARE(draft.target.groups, QStringList{QStringLiteral("Ops")});
}

void tst_FaultMenu::dialogEnablesTheTypeParameters()
{
    FaultRequest draft;
    draft.type = FaultRequest::Type::Reject;
    FaultDialog dialog(draft, QStringLiteral("everyone"));
    auto *type = dialog.findChild<QComboBox *>(QStringLiteral("type"));
    auto *status = dialog.findChild<QComboBox *>(QStringLiteral("status"));
    auto *duration = dialog.findChild<QSpinBox *>(QStringLiteral("durationMs"));
    auto *retry = dialog.findChild<QSpinBox *>(QStringLiteral("retryAfterS"));
    QVERIFY(type && status && duration && retry);
    QVERIFY(status->isEnabled());
    QVERIFY(!duration->isEnabled());
    status->setCurrentIndex(status->findData(401));
    QVERIFY(!retry->isEnabled()); // Retry-After goes with 429 and 503 only
    status->setCurrentIndex(status->findData(429));
    QVERIFY(retry->isEnabled());
    type->setCurrentIndex(type->findData(int(FaultRequest::Type::Stall)));
    QVERIFY(duration->isEnabled());
    QVERIFY(!status->isEnabled());
}

void tst_FaultMenu::dialogBuildsTheRequest_data()
{
    QTest::addColumn<int>("type");
    QTest::newRow("stall") << int(FaultRequest::Type::Stall);
    QTest::newRow("reject") << int(FaultRequest::Type::Reject);
    QTest::newRow("cut") << int(FaultRequest::Type::Cut);
}

void tst_FaultMenu::dialogBuildsTheRequest()
{
    QFETCH(int, type);
    FaultRequest draft;
    draft.type = FaultRequest::Type(type);
    draft.connection = QStringLiteral("7");
    FaultDialog dialog(draft, QStringLiteral("stream 7"));
    dialog.findChild<QSpinBox *>(QStringLiteral("durationMs"))->setValue(2500);
    auto *status = dialog.findChild<QComboBox *>(QStringLiteral("status"));
    status->setCurrentIndex(status->findData(503));
    dialog.findChild<QSpinBox *>(QStringLiteral("count"))->setValue(3);
    dialog.findChild<QSpinBox *>(QStringLiteral("retryAfterS"))->setValue(9);
    dialog.findChild<QSpinBox *>(QStringLiteral("expiresInS"))->setValue(60);
    const FaultRequest request = dialog.request();
    QCOMPARE(int(request.type), type);
    QCOMPARE(request.connection, QStringLiteral("7"));
    QCOMPARE(request.expiresInS, 60);
    QCOMPARE(request.durationMs, draft.type == FaultRequest::Type::Stall ? 2500 : 0);
    QCOMPARE(request.status, draft.type == FaultRequest::Type::Reject ? 503 : 0);
    QCOMPARE(request.retryAfterS, draft.type == FaultRequest::Type::Reject ? 9 : 0);
    // What the server will take: the body reads back as the same fault.
    QString error;
    QVERIFY2(FaultRequest::fromJson(request.toJson(), &error), qPrintable(error));
}

QTEST_MAIN(tst_FaultMenu)
#include "tst_faultmenu.moc"
