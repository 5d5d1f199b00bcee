#pragma once

#include <QAbstractItemModel>
#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <vector>

class QAbstractItemModel;

// Streams grouped into a tree over a ConnectionModel (or a proxy of it): by user (user →
// streams; anonymous streams under "Anonymous"), by group (group → user → streams; streams
// without a group under "No group") or by cluster node (node → user → streams). Group, node
// and user rows show their stream count. Rebuilt from
// the source at most every rebuildIntervalMs while the source changes.
class ConnectionTreeModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum class Grouping { ByUser, ByGroup, ByNode };
    Q_ENUM(Grouping)
    enum Role {
        KindRole = Qt::UserRole + 100, // "group", "node", "user" or "stream"
        KeyRole,                       // group name, user id, or stream id
        CountRole,                     // streams under this row
    };
    static constexpr int rebuildIntervalMs = 250;

    explicit ConnectionTreeModel(QObject *parent = nullptr);
    void setSourceModel(QAbstractItemModel *source);
    void setGrouping(Grouping grouping);
    Grouping grouping() const;
    // Rebuilds now (tests; the timer does it otherwise).
    void rebuild();

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    enum class Kind { Group, User, Stream, Node };
    struct Node
    {
        Kind kind = Kind::Stream;
        int parent = -1; // index in m_nodes; -1: top level
        int row = 0;     // row under the parent
        QString key;     // group name, user id or stream id; empty for the catch-all buckets
        QString label;   // group and user rows, without the count
        int count = 0;
        mutable int sourceRow = -1; // stream rows: where the source had it (rechecked on read)
        QVector<int> children;
    };
    struct Stream
    {
        QString id;
        QString userId;
        QString userName;
        QStringList groups;
        QString node;
        int sourceRow = -1;
    };

    void handleSourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                 const QList<int> &roles);
    void scheduleRebuild();
    void handleTimeout();
    // Counters changed: repaint stream rows without a reset (which would collapse views).
    void refreshStreams();
    int addNode(Kind kind, int parent, const QString &key, const QString &label, int count, int sourceRow = -1);
    void addUsers(int parent, const QVector<Stream> &streams, const QVector<int> &members);
    int sourceRowOf(const Node &node) const;

    QPointer<QAbstractItemModel> m_source;
    QVector<QMetaObject::Connection> m_connections;
    Grouping m_grouping = Grouping::ByUser;
    std::vector<Node> m_nodes;
    QVector<int> m_roots;
    int m_columnCount = 1;
    QTimer m_timer;
    bool m_rebuildPending = false;
    bool m_refreshPending = false;
    // Stream id -> source row, rebuilt lazily when a stream row's cached source row is stale.
    mutable QHash<QString, int> m_sourceRows;
    mutable bool m_sourceRowsStale = true;
};
