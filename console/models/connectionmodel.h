#pragma once

#include "connectionrecord.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QSharedPointer>
#include <QVector>

// The one source model of open streams, fed by the control channel: a snapshot, then
// batches of opened / closed / updated. Rows are kept in arrival order; a batch becomes one
// insert, removals grouped into contiguous ranges (or a reset when most rows go), and
// dataChanged for counters. The Resume column tells how each stream came back, and flags
// those that came back badly.
class ConnectionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionModel)

public:
    enum Column { Id, User, Groups, Session, RemoteAddress, UserAgent, Filter, ConnectedAt,
                  EventsSent, BytesSent, LastEventId, Resume, Node, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        SortRole = Qt::UserRole + 1, // raw value for sorting (numbers as numbers, times as times)
        RecordIdRole,                // QString
        UserIdRole,                  // QString, empty for anonymous
        UserNameRole,                // QString
        GroupsRole,                  // QStringList: group names
        GroupIdsRole,                // QStringList
        SessionRole,                 // QString
        FilterRole,                  // QStringList: event names of the URL filter
        NodeRole,                    // QString: the cluster node holding it; empty standalone
        // bool: it came back badly: with an id the history had lost (too-old) or never had
        // (unknown), or without one although its session had a stream before
        ResumeFlagRole,
    };

    explicit ConnectionModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void resetRecords(const QList<ConnectionRecord> &records);
    void appendRecords(const QList<ConnectionRecord> &records); // insert-or-replace by id
    void applyBatch(const QList<ConnectionRecord> &opened, const QStringList &closed,
                    const QList<ConnectionUpdate> &updated);
    void clear();

    const ConnectionRecord *record(int row) const;
    int rowOf(const QString &id) const; // -1 when unknown
    // Distinct users ("name (id)" display is the view's business) and groups, for pickers.
    QStringList userNames() const;
    QStringList groupNames() const;
    QStringList sessions() const;

private:
    QString displayText(const ConnectionRecord &record, int column) const;
    bool resumeFlagged(const ConnectionRecord &record) const;
    QString resumeExplanation(const ConnectionRecord &record) const;
    QVariant sortValue(const ConnectionRecord &record, int column) const;
    // Removes the rows (any order, no duplicates): grouped into contiguous ranges, highest
    // first, one beginRemoveRows each.
    void removeRowsInRanges(QVector<int> rows);
    // Inserts new ids in one beginInsertRows at the end, replaces known ones in place; with
    // notify false (inside a reset) it only changes the data.
    void insertOrReplace(const QList<ConnectionRecord> &records, const QStringList &skipped, bool notify);
    void applyUpdates(const QList<ConnectionUpdate> &updated, bool notify);
    // One dataChanged per contiguous run of rows (rows in any order, duplicates allowed).
    void emitRowsChanged(QVector<int> rows, int firstColumn, int lastColumn, const QList<int> &roles);
    void reindexFrom(int row);

    // Behind pointers that Qt relocates with memmove: a removal in the middle moves the rows
    // after it, which costs 15,000 x 13 member moves per range when stored by value.
    QVector<QSharedPointer<ConnectionRecord>> m_records;
    QHash<QString, int> m_rows; // id -> row in m_records; exact whenever no batch is being applied
    QSet<QString> m_closedSessions;  // sessions whose streams closed: a stream of one is a reconnect
    QSet<QString> m_reconnectsWithoutId; // ids of streams that reconnected without an id
};
