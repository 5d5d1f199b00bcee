#include "connectionsview.h"

#include "connectionfilterproxy.h"
#include "connectionmodel.h"
#include "connectiontreemodel.h"
#include "sortheaderview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSplitter>
#include <QStyle>
#include <QStackedWidget>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

// Names a tree row across rebuilds ("group/Marketing", "user/u1").
QString treeKey(const QModelIndex &index)
{
    return index.data(ConnectionTreeModel::KindRole).toString() + u'/'
        + index.data(ConnectionTreeModel::KeyRole).toString();
}

// The widest text a column usually shows, so that it opens wide enough for it.
const std::pair<ConnectionModel::Column, QLatin1String> typicalWidest[] = {
    {ConnectionModel::Id, QLatin1String("0000000")},
    {ConnectionModel::ConnectedAt, QLatin1String("2026-12-02 23:59:59")},
    {ConnectionModel::RemoteAddress, QLatin1String("255.255.255.255")},
    {ConnectionModel::EventsSent, QLatin1String("0000000")},
    {ConnectionModel::BytesSent, QLatin1String("1023.9 MiB")},
    {ConnectionModel::LastEventId, QLatin1String("1764633600-000000")},
};

} // namespace

ConnectionsView::ConnectionsView(ConnectionModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new ConnectionFilterProxy(this))
    , m_tree(new ConnectionTreeModel(this))
    , m_text(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_group(new QLineEdit(this))
    , m_eventName(new QLineEdit(this))
    , m_grouping(new QComboBox(this))
    , m_stack(new QStackedWidget(this))
    , m_split(new QSplitter(Qt::Vertical, this))
    , m_table(new QTableView(this))
    , m_treeView(new QTreeView(this))
    , m_count(new QLabel(this))
{
    m_proxy->setSourceModel(model);
    m_tree->setSourceModel(m_proxy);
    const struct { QLineEdit *edit; const char *name; QString placeholder; } filters[] = {
        {m_text, "filterText", tr("search")}, {m_user, "filterUser", tr("user")},
        {m_group, "filterGroup", tr("group")}, {m_eventName, "filterEvent", tr("event name")}};
    auto *bar = new QHBoxLayout;
    for (const auto &filter : filters) {
        filter.edit->setObjectName(QLatin1String(filter.name));
        filter.edit->setPlaceholderText(filter.placeholder);
        filter.edit->setClearButtonEnabled(true);
        bar->addWidget(filter.edit, filter.edit == m_text ? 2 : 1);
    }
    m_grouping->setObjectName(QStringLiteral("grouping"));
    m_grouping->addItems({tr("Flat"), tr("By user"), tr("By group"), tr("By node")});
    bar->addWidget(m_grouping);
    bar->addWidget(m_count);
    m_count->setObjectName(QStringLiteral("connectionCount"));

    m_table->setObjectName(QStringLiteral("connectionsTable"));
    auto *header = new SortHeaderView(Qt::Horizontal, m_table);
    header->setSectionsClickable(true);
    header->setHighlightSections(true);
    m_table->setHorizontalHeader(header);
    m_table->setModel(m_proxy);
    // Arrival order, oldest first: new streams join at the bottom, the rows in view stay put.
    header->setSortIndicator(ConnectionModel::Id, Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_treeView->setObjectName(QStringLiteral("connectionsTree"));
    m_treeView->setModel(m_tree);
    m_treeView->setUniformRowHeights(true);
    m_treeView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_stack->addWidget(m_table);
    m_stack->addWidget(m_treeView);
    fitColumns(m_table->horizontalHeader());
    fitColumns(m_treeView->header());

    m_split->addWidget(m_stack);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_split, 1);

    connect(m_text, &QLineEdit::textChanged, m_proxy, &ConnectionFilterProxy::setText);
    connect(m_user, &QLineEdit::textChanged, m_proxy, &ConnectionFilterProxy::setUser);
    connect(m_group, &QLineEdit::textChanged, m_proxy, &ConnectionFilterProxy::setGroup);
    connect(m_eventName, &QLineEdit::textChanged, m_proxy, &ConnectionFilterProxy::setEventName);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, [this](int index) {
        static const ConnectionTreeModel::Grouping groupings[] = {ConnectionTreeModel::Grouping::ByUser,
                                                                  ConnectionTreeModel::Grouping::ByGroup,
                                                                  ConnectionTreeModel::Grouping::ByNode};
        if (index > 0)
            m_tree->setGrouping(groupings[qBound(1, index, 3) - 1]);
        m_stack->setCurrentIndex(index == 0 ? 0 : 1);
        m_treeView->header()->resizeSection(0, 280);
        restoreExpansion();
        QSettings().setValue(QStringLiteral("connections/grouping"), index);
    });
    m_grouping->setCurrentIndex(QSettings().value(QStringLiteral("connections/grouping"), 0).toInt());
    // The tree is rebuilt as streams come and go: keep what the operator folded folded, and
    // everything else open.
    connect(m_treeView, &QTreeView::collapsed, this, [this](const QModelIndex &index) { m_collapsed.insert(treeKey(index)); });
    connect(m_treeView, &QTreeView::expanded, this, [this](const QModelIndex &index) { m_collapsed.remove(treeKey(index)); });
    connect(m_tree, &QAbstractItemModel::modelReset, this, &ConnectionsView::restoreExpansion);
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint &position) {
        showMenu(m_table->viewport()->mapToGlobal(position), m_proxy->mapToSource(m_table->indexAt(position)));
    });
    connect(m_treeView, &QTreeView::customContextMenuRequested, this, [this](const QPoint &position) {
        showMenu(m_treeView->viewport()->mapToGlobal(position), m_treeView->indexAt(position));
    });
    for (QAbstractItemModel *source : {static_cast<QAbstractItemModel *>(m_proxy), static_cast<QAbstractItemModel *>(m_model)}) {
        connect(source, &QAbstractItemModel::rowsInserted, this, &ConnectionsView::updateCount);
        connect(source, &QAbstractItemModel::rowsRemoved, this, &ConnectionsView::updateCount);
        connect(source, &QAbstractItemModel::modelReset, this, &ConnectionsView::updateCount);
    }
    // Rows that come or go above the first row in view would move every row in view: the
    // first row stays the first (what QTableView keeps is the scroll value, not the rows).
    const auto holdTop = [this](const QModelIndex &parent, int first) {
        const int top = m_table->rowAt(0);
        if (!parent.isValid() && top > 0 && first < top && !m_heldTop.isValid())
            m_heldTop = m_proxy->index(top, 0);
    };
    const auto restoreTop = [this] {
        if (!m_heldTop.isValid())
            return;
        m_table->scrollTo(m_heldTop, QAbstractItemView::PositionAtTop);
        m_heldTop = QPersistentModelIndex();
    };
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [holdTop](const QModelIndex &parent, int first, int) { holdTop(parent, first); });
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [holdTop](const QModelIndex &parent, int first, int) { holdTop(parent, first); });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, restoreTop);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, restoreTop);
    const auto selected = [this](const QModelIndex &index) {
        Q_EMIT streamSelected(index.siblingAtColumn(0).data(ConnectionModel::RecordIdRole).toString());
    };
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this, selected](const QModelIndex &current) { selected(m_proxy->mapToSource(current)); });
    connect(m_treeView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [selected](const QModelIndex &current) { selected(current); });
    updateCount();
}

ConnectionsView::~ConnectionsView()
{
    for (QObject *source : {static_cast<QObject *>(m_tree), static_cast<QObject *>(m_proxy),
                            static_cast<QObject *>(m_treeView),
                            static_cast<QObject *>(m_grouping), static_cast<QObject *>(m_table->selectionModel()),
                            static_cast<QObject *>(m_treeView->selectionModel())})
        disconnect(source, nullptr, this, nullptr);
}

void ConnectionsView::setDetail(QWidget *detail)
{
    m_split->addWidget(detail);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 1);
}

void ConnectionsView::restoreExpansion()
{
    // setExpanded() emits expanded/collapsed: work from a copy.
    const QSet<QString> collapsed = m_collapsed;
    for (int row = 0; row < m_tree->rowCount(); ++row) {
        const QModelIndex group = m_tree->index(row, 0);
        m_treeView->setExpanded(group, !collapsed.contains(treeKey(group)));
        for (int child = 0; child < m_tree->rowCount(group); ++child) {
            const QModelIndex index = m_tree->index(child, 0, group);
            if (m_tree->rowCount(index) > 0)
                m_treeView->setExpanded(index, !collapsed.contains(treeKey(index)));
        }
    }
    m_collapsed = collapsed;
}

void ConnectionsView::fitColumns(QHeaderView *header)
{
    const int padding = 2 * style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, header) + 12;
    for (const auto &[column, sample] : typicalWidest) {
        // The tree's first column is its own (group / user / stream), sized with the grouping.
        if (header == m_treeView->header() && column == ConnectionModel::Id)
            continue;
        header->resizeSection(column, qMax(header->sectionSizeHint(column),
                                           header->fontMetrics().horizontalAdvance(sample) + padding));
    }
}

void ConnectionsView::setLive(bool live)
{
    m_live = live;
    m_split->setEnabled(live);
    updateCount();
}

void ConnectionsView::updateCount()
{
    const QString count = tr("%1 of %n stream(s)", nullptr, m_model->rowCount()).arg(m_proxy->rowCount());
    m_count->setText(m_live ? count : tr("%1 (last known, not live)").arg(count));
}

void ConnectionsView::showMenu(const QPoint &position, const QModelIndex &index)
{
    if (const std::unique_ptr<QMenu> menu = contextMenu(index))
        menu->exec(position);
}

void ConnectionsView::addFaultMenu(QMenu *menu, const FaultRequest &scope, const QString &scopeText)
{
    menu->addSeparator();
    QMenu *faults = menu->addMenu(m_faultsEnabled ? tr("Test &fault")
                                                  : tr("Test &fault (the server runs without --test-faults)"));
    faults->setObjectName(QStringLiteral("faultMenu"));
    faults->setEnabled(m_faultsEnabled);
    const std::pair<FaultRequest::Type, QString> entries[] = {
        {FaultRequest::Type::Stall, tr("&Stall…")},
        {FaultRequest::Type::Cut, tr("&Cut next event…")},
        {FaultRequest::Type::Reject, tr("&Reject next reconnects…")},
        {FaultRequest::Type::Duplicate, tr("&Duplicate next event…")},
        {FaultRequest::Type::Malformed, tr("&Malformed next event…")}};
    for (const auto &[type, label] : entries) {
        FaultRequest draft = scope;
        draft.type = type;
        faults->addAction(label, this, [this, draft, scopeText] { Q_EMIT faultRequested(draft, scopeText); });
    }
}

std::unique_ptr<QMenu> ConnectionsView::contextMenu(const QModelIndex &index)
{
    if (!index.isValid())
        return nullptr;
    // Works on source-model indexes (flat view) and tree rows alike: both carry the roles.
    const QString kind = index.data(ConnectionTreeModel::KindRole).toString();
    const QString id = index.siblingAtColumn(0).data(ConnectionModel::RecordIdRole).toString();
    const QString session = index.siblingAtColumn(0).data(ConnectionModel::SessionRole).toString();
    const QString user = index.siblingAtColumn(0).data(ConnectionModel::UserIdRole).toString();
    const QStringList groups = index.siblingAtColumn(0).data(ConnectionModel::GroupsRole).toStringList();
    auto owned = std::make_unique<QMenu>(this);
    QMenu &menu = *owned;
    if (kind == QLatin1String("group") || kind == QLatin1String("user")) {
        const QString key = index.data(ConnectionTreeModel::KeyRole).toString();
        const auto targetKind = kind == QLatin1String("group") ? TargetPicker::Kind::Groups : TargetPicker::Kind::Users;
        if (!key.isEmpty()) {
            menu.addAction(tr("Push to %1…").arg(key), this, [=] { Q_EMIT pushRequested(targetKind, {key}); });
            menu.addAction(tr("Pause %1…").arg(key), this, [=] { Q_EMIT pauseRequested(targetKind, {key}); });
            FaultRequest scope;
            if (targetKind == TargetPicker::Kind::Groups)
                scope.target.groups = QStringList{key};
            else
                scope.target.users = QStringList{key};
            addFaultMenu(&menu, scope, targetKind == TargetPicker::Kind::Groups ? tr("the streams of group %1").arg(key)
                                                                                : tr("the streams of user %1").arg(key));
        }
    } else if (!id.isEmpty()) {
        menu.addAction(tr("&Kick stream %1").arg(id), this, [=] { Q_EMIT kickRequested(id); });
        menu.addSeparator();
        menu.addAction(tr("Push to this &session…"), this,
                       [=] { Q_EMIT pushRequested(TargetPicker::Kind::Sessions, {session}); });
        if (!user.isEmpty())
            menu.addAction(tr("Push to this &user…"), this,
                           [=] { Q_EMIT pushRequested(TargetPicker::Kind::Users, {user}); });
        for (const QString &group : groups)
            menu.addAction(tr("Push to group %1…").arg(group), this,
                           [=] { Q_EMIT pushRequested(TargetPicker::Kind::Groups, {group}); });
        menu.addSeparator();
        menu.addAction(tr("&Pause this session…"), this,
                       [=] { Q_EMIT pauseRequested(TargetPicker::Kind::Sessions, {session}); });
        if (!user.isEmpty())
            menu.addAction(tr("Pause this user…"), this,
                           [=] { Q_EMIT pauseRequested(TargetPicker::Kind::Users, {user}); });
        for (const QString &group : groups)
            menu.addAction(tr("Pause group %1…").arg(group), this,
                           [=] { Q_EMIT pauseRequested(TargetPicker::Kind::Groups, {group}); });
        FaultRequest scope;
        scope.connection = id;
        addFaultMenu(&menu, scope, tr("stream %1 (a reject: its session)").arg(id));
    }
    if (menu.isEmpty())
        return nullptr;
    return owned;
}
