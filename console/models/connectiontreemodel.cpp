#include "connectiontreemodel.h"

#include <algorithm>
#include <numeric>

#include "connectionmodel.h"

namespace {

// Case-insensitive order, stable for names differing only in case.
bool lessIgnoringCase(const QString &a, const QString &b)
{
    const int order = a.compare(b, Qt::CaseInsensitive);
    return order != 0 ? order < 0 : a < b;
}

QString userLabel(const QString &id, const QString &name)
{
    return name.isEmpty() || name == id ? id : QStringLiteral("%1 (%2)").arg(name, id);
}

} // namespace

ConnectionTreeModel::ConnectionTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(rebuildIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionTreeModel::handleTimeout);
}

void ConnectionTreeModel::setSourceModel(QAbstractItemModel *source)
{
    if (source == m_source)
        return;
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_source = source;
    if (source) {
        const auto structural = [this] {
            m_sourceRowsStale = true;
            scheduleRebuild();
        };
        m_connections = {
            connect(source, &QAbstractItemModel::rowsInserted, this, structural),
            connect(source, &QAbstractItemModel::rowsRemoved, this, structural),
            connect(source, &QAbstractItemModel::rowsMoved, this, structural),
            connect(source, &QAbstractItemModel::columnsInserted, this, structural),
            connect(source, &QAbstractItemModel::columnsRemoved, this, structural),
            connect(source, &QAbstractItemModel::columnsMoved, this, structural),
            connect(source, &QAbstractItemModel::modelReset, this, structural),
            connect(source, &QAbstractItemModel::layoutChanged, this, structural),
            connect(source, &QAbstractItemModel::dataChanged, this, &ConnectionTreeModel::handleSourceDataChanged),
            connect(source, &QObject::destroyed, this, [this] {
                m_source = nullptr;
                m_connections.clear();
                rebuild();
            }),
        };
    }
    rebuild();
}

void ConnectionTreeModel::setGrouping(Grouping grouping)
{
    if (grouping == m_grouping)
        return;
    m_grouping = grouping;
    rebuild();
}

ConnectionTreeModel::Grouping ConnectionTreeModel::grouping() const
{
    return m_grouping;
}

void ConnectionTreeModel::handleSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &,
                                                  const QList<int> &roles)
{
    // Only the id, user and groups place a stream in the tree; other columns (counters) just
    // need a repaint.
    bool structural = topLeft.column() <= ConnectionModel::Groups;
    for (const int role : roles) {
        if (role == ConnectionModel::RecordIdRole || role == ConnectionModel::UserIdRole
            || role == ConnectionModel::UserNameRole || role == ConnectionModel::GroupsRole
            || role == ConnectionModel::GroupIdsRole)
            structural = true;
    }
    if (structural) {
        scheduleRebuild();
        return;
    }
    m_refreshPending = true;
    if (!m_timer.isActive())
        m_timer.start();
}

// Not restarted by later changes: while the source keeps changing, the tree still follows
// every rebuildIntervalMs.
void ConnectionTreeModel::scheduleRebuild()
{
    m_rebuildPending = true;
    if (!m_timer.isActive())
        m_timer.start();
}

void ConnectionTreeModel::handleTimeout()
{
    if (m_rebuildPending)
        rebuild();
    else if (m_refreshPending)
        refreshStreams();
}

void ConnectionTreeModel::refreshStreams()
{
    m_refreshPending = false;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const QVector<int> &children = m_nodes[i].children;
        if (children.isEmpty() || m_nodes[std::size_t(children.first())].kind != Kind::Stream)
            continue;
        Q_EMIT dataChanged(createIndex(0, 0, quintptr(children.first())),
                           createIndex(int(children.size()) - 1, m_columnCount - 1, quintptr(children.last())));
    }
}

void ConnectionTreeModel::rebuild()
{
    m_timer.stop();
    m_rebuildPending = false;
    m_refreshPending = false;

    beginResetModel();
    m_nodes.clear();
    m_roots.clear();
    m_sourceRows.clear();
    m_sourceRowsStale = false;
    m_columnCount = m_source ? std::max(1, m_source->columnCount()) : 1;

    QVector<Stream> streams;
    const int rows = m_source ? m_source->rowCount() : 0;
    streams.reserve(rows);
    for (int row = 0; row < rows; ++row) {
        const QModelIndex index = m_source->index(row, 0);
        Stream stream{index.data(ConnectionModel::RecordIdRole).toString(),
                      index.data(ConnectionModel::UserIdRole).toString(),
                      index.data(ConnectionModel::UserNameRole).toString(),
                      index.data(ConnectionModel::GroupsRole).toStringList(),
                      index.data(ConnectionModel::NodeRole).toString(), row};
        m_sourceRows.insert(stream.id, row);
        streams.append(std::move(stream));
    }
    m_nodes.reserve(std::size_t(rows) * (m_grouping == Grouping::ByGroup ? 2 : 1) + 64);

    if (m_grouping == Grouping::ByUser) {
        QVector<int> all(rows);
        std::iota(all.begin(), all.end(), 0);
        addUsers(-1, streams, all);
    } else if (m_grouping == Grouping::ByNode) {
        // Node -> user -> streams; a standalone server's streams have no node.
        QHash<QString, QVector<int>> members;
        for (int i = 0; i < streams.size(); ++i)
            members[streams.at(i).node].append(i);
        QStringList names = members.keys();
        std::sort(names.begin(), names.end(), lessIgnoringCase);
        for (const QString &name : std::as_const(names)) {
            const QVector<int> &list = members.value(name);
            addUsers(addNode(Kind::Node, -1, name, name.isEmpty() ? tr("This server") : name, int(list.size())),
                     streams, list);
        }
    } else {
        QHash<QString, QVector<int>> members;
        QVector<int> noGroup;
        for (int i = 0; i < streams.size(); ++i) {
            const QStringList &groups = streams.at(i).groups;
            if (groups.isEmpty())
                noGroup.append(i);
            for (int g = 0; g < groups.size(); ++g) {
                if (!groups.mid(0, g).contains(groups.at(g))) // once per group, even if listed twice
                    members[groups.at(g)].append(i);
            }
        }
        QStringList names = members.keys();
        std::sort(names.begin(), names.end(), lessIgnoringCase);
        for (const QString &name : std::as_const(names)) {
            const QVector<int> &list = members.value(name);
            addUsers(addNode(Kind::Group, -1, name, name, int(list.size())), streams, list);
        }
        if (!noGroup.isEmpty())
            addUsers(addNode(Kind::Group, -1, {}, tr("No group"), int(noGroup.size())), streams, noGroup);
    }
    endResetModel();
}

void ConnectionTreeModel::addUsers(int parent, const QVector<Stream> &streams, const QVector<int> &members)
{
    struct User
    {
        QString id;
        QString label;
        QVector<int> streams;
    };
    QVector<User> users;
    QHash<QString, int> userIndex;
    QVector<int> anonymous;
    for (const int member : members) {
        const Stream &stream = streams.at(member);
        if (stream.userId.isEmpty()) {
            anonymous.append(member);
            continue;
        }
        auto it = userIndex.constFind(stream.userId);
        if (it == userIndex.cend()) {
            it = userIndex.insert(stream.userId, int(users.size()));
            users.append({stream.userId, userLabel(stream.userId, stream.userName), {}});
        }
        users[*it].streams.append(member);
    }
    std::sort(users.begin(), users.end(), [](const User &a, const User &b) { return lessIgnoringCase(a.label, b.label); });
    const auto addStreams = [&](int userNode, const QVector<int> &list) {
        for (const int member : list)
            addNode(Kind::Stream, userNode, streams.at(member).id, {}, 0, streams.at(member).sourceRow);
    };
    for (const User &user : std::as_const(users))
        addStreams(addNode(Kind::User, parent, user.id, user.label, int(user.streams.size())), user.streams);
    if (!anonymous.isEmpty())
        addStreams(addNode(Kind::User, parent, {}, tr("Anonymous"), int(anonymous.size())), anonymous);
}

int ConnectionTreeModel::addNode(Kind kind, int parent, const QString &key, const QString &label, int count,
                                 int sourceRow)
{
    const int id = int(m_nodes.size());
    QVector<int> &siblings = parent < 0 ? m_roots : m_nodes[std::size_t(parent)].children;
    Node node;
    node.kind = kind;
    node.parent = parent;
    node.row = int(siblings.size());
    node.key = key;
    node.label = label;
    node.count = count;
    node.sourceRow = sourceRow;
    siblings.append(id);
    m_nodes.push_back(std::move(node));
    return id;
}

// The row recorded at the last rebuild, unless the source has changed since: then looked up
// by id (once per source change), or -1 when the stream has gone.
int ConnectionTreeModel::sourceRowOf(const Node &node) const
{
    if (!m_source)
        return -1;
    const int rows = m_source->rowCount();
    if (node.sourceRow >= 0 && node.sourceRow < rows
        && m_source->index(node.sourceRow, 0).data(ConnectionModel::RecordIdRole).toString() == node.key)
        return node.sourceRow;
    if (m_sourceRowsStale) {
        m_sourceRows.clear();
        for (int row = 0; row < rows; ++row)
            m_sourceRows.insert(m_source->index(row, 0).data(ConnectionModel::RecordIdRole).toString(), row);
        m_sourceRowsStale = false;
    }
    node.sourceRow = m_sourceRows.value(node.key, -1);
    return node.sourceRow;
}

QModelIndex ConnectionTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= m_columnCount)
        return {};
    if (!parent.isValid())
        return row < m_roots.size() ? createIndex(row, column, quintptr(m_roots.at(row))) : QModelIndex();
    if (parent.model() != this || parent.column() != 0)
        return {};
    const QVector<int> &children = m_nodes[std::size_t(parent.internalId())].children;
    return row < children.size() ? createIndex(row, column, quintptr(children.at(row))) : QModelIndex();
}

QModelIndex ConnectionTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int parent = m_nodes[std::size_t(child.internalId())].parent;
    if (parent < 0)
        return {};
    return createIndex(m_nodes[std::size_t(parent)].row, 0, quintptr(parent));
}

int ConnectionTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_roots.size());
    if (parent.column() != 0)
        return 0;
    return int(m_nodes[std::size_t(parent.internalId())].children.size());
}

int ConnectionTreeModel::columnCount(const QModelIndex &) const
{
    return m_columnCount;
}

QVariant ConnectionTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node &node = m_nodes[std::size_t(index.internalId())];
    if (role == KeyRole)
        return node.key;
    if (node.kind == Kind::Stream) {
        if (role == KindRole)
            return QStringLiteral("stream");
        if (role == CountRole)
            return {};
        const int row = sourceRowOf(node);
        if (row < 0) // gone from the source; the next rebuild drops it
            return index.column() == 0 && role == Qt::DisplayRole ? QVariant(node.key) : QVariant();
        return m_source->index(row, index.column()).data(role);
    }
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == 0 ? QVariant(QStringLiteral("%1 (%2)").arg(node.label).arg(node.count)) : QVariant();
    case KindRole:
        return node.kind == Kind::Group ? QStringLiteral("group")
            : node.kind == Kind::Node  ? QStringLiteral("node")
                                       : QStringLiteral("user");
    case CountRole:
        return node.count;
    default:
        return {};
    }
}

QVariant ConnectionTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && section == 0 && role == Qt::DisplayRole)
        return m_grouping == Grouping::ByGroup ? tr("Group / user / stream")
            : m_grouping == Grouping::ByNode   ? tr("Node / user / stream")
                                               : tr("User / stream");
    if (m_source && orientation == Qt::Horizontal)
        return m_source->headerData(section, orientation, role);
    return QAbstractItemModel::headerData(section, orientation, role);
}
