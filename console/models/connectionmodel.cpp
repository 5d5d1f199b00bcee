#include "connectionmodel.h"

#include <QColor>
#include <QSet>

#include <algorithm>
#include <functional>

namespace {

constexpr qsizetype maxClosedSessions = 100000;

const QString timeFormat = QStringLiteral("yyyy-MM-dd hh:mm:ss");

// A batch that removes more than 1/resetDivisor of the rows, scattered over several ranges,
// becomes one reset: proxies and views redo each scattered removal in O(rows).
constexpr int resetDivisor = 4;

QString humanBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024.0 && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString userText(const ConnectionRecord &record)
{
    if (record.userId.isEmpty())
        return ConnectionModel::tr("anonymous");
    if (record.userName.isEmpty() || record.userName == record.userId)
        return record.userId;
    return QStringLiteral("%1 (%2)").arg(record.userName, record.userId);
}

// Contiguous runs [first, last] of sorted, duplicate-free rows.
QVector<std::pair<int, int>> runs(const QVector<int> &sortedRows)
{
    QVector<std::pair<int, int>> out;
    for (const int row : sortedRows) {
        if (!out.isEmpty() && out.last().second + 1 == row)
            out.last().second = row;
        else
            out.append({row, row});
    }
    return out;
}

QStringList sortedCaseInsensitive(const QSet<QString> &set)
{
    QStringList out(set.cbegin(), set.cend());
    std::sort(out.begin(), out.end(), [](const QString &a, const QString &b) {
        const int order = a.compare(b, Qt::CaseInsensitive);
        return order != 0 ? order < 0 : a < b;
    });
    return out;
}

} // namespace

ConnectionModel::ConnectionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ConnectionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int ConnectionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_records.size() || index.column() >= ColumnCount)
        return {};
    const ConnectionRecord &record = *m_records.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayText(record, column);
    case Qt::ToolTipRole:
        if (column == UserAgent)
            return record.userAgent;
        if (column == ConnectedAt)
            return record.expiresAt.isValid()
                       ? tr("connected %1, token expires %2")
                             .arg(record.connectedAt.toLocalTime().toString(timeFormat),
                                  record.expiresAt.toLocalTime().toString(timeFormat))
                       : tr("connected %1").arg(record.connectedAt.toLocalTime().toString(timeFormat));
        if (column == BytesSent)
            return tr("%1 bytes").arg(record.bytesSent);
        if (column == Resume)
            return resumeExplanation(record);
        return {};
    case Qt::TextAlignmentRole:
        if (column == EventsSent || column == BytesSent)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole:
        return sortValue(record, column);
    case RecordIdRole:
        return record.id;
    case UserIdRole:
        return record.userId;
    case UserNameRole:
        return record.userName;
    case GroupsRole:
        return record.groups;
    case GroupIdsRole:
        return record.groupIds;
    case SessionRole:
        return record.session;
    case NodeRole:
        return record.node;
    case ResumeFlagRole:
        return resumeFlagged(record);
    case Qt::ForegroundRole:
        if (column == Resume && resumeFlagged(record))
            return QColor(0xb0, 0x00, 0x20);
        return {};
    case FilterRole:
        return record.filter;
    default:
        return {};
    }
}

QString ConnectionModel::displayText(const ConnectionRecord &record, int column) const
{
    switch (column) {
    case Id: return record.id;
    case User: return userText(record);
    case Groups: return record.groups.join(QStringLiteral(", "));
    case Session: return record.session;
    case RemoteAddress: return record.remoteAddress;
    case UserAgent: return record.userAgent;
    case Filter: return record.filter.join(QStringLiteral(", "));
    case ConnectedAt: return record.connectedAt.toLocalTime().toString(timeFormat);
    case EventsSent: return QString::number(record.eventsSent);
    case BytesSent: return humanBytes(record.bytesSent);
    case LastEventId: return record.lastEventId;
    case Resume: {
        const ConnectionRecord::Resume &resume = record.resume;
        if (resume.status == QLatin1String("none"))
            return m_reconnectsWithoutId.contains(record.id) ? tr("none (reconnect)") : tr("none");
        return tr("%1 from %2, %3 replayed").arg(resume.status, resume.lastEventId).arg(resume.replayed);
    }
    case Node: return record.node;
    default: return {};
    }
}

bool ConnectionModel::resumeFlagged(const ConnectionRecord &record) const
{
    const QString &status = record.resume.status;
    return status == QLatin1String("too-old") || status == QLatin1String("unknown")
        || m_reconnectsWithoutId.contains(record.id);
}

QString ConnectionModel::resumeExplanation(const ConnectionRecord &record) const
{
    const ConnectionRecord::Resume &resume = record.resume;
    const QString via = resume.via == QLatin1String("query") ? tr("the lastEventId query") : tr("a Last-Event-ID header");
    if (resume.status == QLatin1String("exact"))
        return tr("resumed with %1: the history had it, %n event(s) replayed", nullptr, int(resume.replayed)).arg(via);
    if (resume.status == QLatin1String("too-old"))
        return tr("sent an id the history no longer has (%1): it got an eventsource-gap and may have missed events")
            .arg(via);
    if (resume.status == QLatin1String("unknown"))
        return tr("sent an id the history never had (%1): it got an eventsource-gap and everything retained").arg(via);
    if (m_reconnectsWithoutId.contains(record.id))
        return tr("its session had a stream before, but it came back without Last-Event-ID: it misses what was "
                  "sent meanwhile, or gets it twice if the app fetches it itself");
    return tr("a first connection, without Last-Event-ID");
}

QVariant ConnectionModel::sortValue(const ConnectionRecord &record, int column) const
{
    switch (column) {
    case Id: {
        // Server ids are decimal counters: "9" sorts before "10".
        bool ok = false;
        const qlonglong number = record.id.toLongLong(&ok);
        return ok ? QVariant(number) : QVariant(record.id);
    }
    case ConnectedAt: return record.connectedAt;
    case EventsSent: return record.eventsSent;
    case BytesSent: return record.bytesSent;
    default: return displayText(record, column);
    }
}

QVariant ConnectionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Id");
    case User: return tr("User");
    case Groups: return tr("Groups");
    case Session: return tr("Session");
    case RemoteAddress: return tr("Address");
    case UserAgent: return tr("User agent");
    case Filter: return tr("Event filter");
    case ConnectedAt: return tr("Connected");
    case EventsSent: return tr("Events");
    case BytesSent: return tr("Sent");
    case LastEventId: return tr("Last event id");
    case Resume: return tr("Resume");
    case Node: return tr("Node");
    default: return {};
    }
}

QHash<int, QByteArray> ConnectionModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(SortRole, "sortValue");
    names.insert(RecordIdRole, "recordId");
    names.insert(UserIdRole, "userId");
    names.insert(UserNameRole, "userName");
    names.insert(GroupsRole, "groups");
    names.insert(GroupIdsRole, "groupIds");
    names.insert(SessionRole, "session");
    names.insert(FilterRole, "filter");
    return names;
}

void ConnectionModel::resetRecords(const QList<ConnectionRecord> &records)
{
    beginResetModel();
    m_records.clear();
    m_rows.clear();
    m_records.reserve(records.size());
    insertOrReplace(records, {}, false);
    endResetModel();
}

void ConnectionModel::appendRecords(const QList<ConnectionRecord> &records)
{
    insertOrReplace(records, {}, true);
}

void ConnectionModel::applyBatch(const QList<ConnectionRecord> &opened, const QStringList &closed,
                                 const QList<ConnectionUpdate> &updated)
{
    QVector<int> removed;
    removed.reserve(closed.size());
    for (const QString &id : closed) {
        const auto it = m_rows.constFind(id);
        if (it != m_rows.cend())
            removed.append(*it);
    }
    std::sort(removed.begin(), removed.end());
    removed.erase(std::unique(removed.begin(), removed.end()), removed.end());
    // Bounded: past it, the oldest knowledge of reconnects goes (a flag missed, nothing wrong shown).
    if (m_closedSessions.size() > maxClosedSessions)
        m_closedSessions.clear();
    for (const int row : std::as_const(removed)) {
        m_closedSessions.insert(m_records.at(row)->session);
        m_reconnectsWithoutId.remove(m_records.at(row)->id);
    }
    for (const ConnectionRecord &record : opened) {
        if (record.resume.status == QLatin1String("none") && m_closedSessions.contains(record.session))
            m_reconnectsWithoutId.insert(record.id);
    }

    const bool reset = removed.size() * resetDivisor > m_records.size() && runs(removed).size() > 1;
    if (reset) {
        beginResetModel();
        QVector<bool> gone(m_records.size(), false);
        for (const int row : removed)
            gone[row] = true;
        QVector<QSharedPointer<ConnectionRecord>> kept;
        kept.reserve(m_records.size() - removed.size());
        for (int row = 0; row < m_records.size(); ++row) {
            if (!gone.at(row))
                kept.append(std::move(m_records[row]));
        }
        m_records = std::move(kept);
        m_rows.clear();
        reindexFrom(0);
    } else {
        removeRowsInRanges(std::move(removed));
    }
    // Ids are never reused, so an id both opened and closed in one batch is gone at its end.
    insertOrReplace(opened, closed, !reset);
    applyUpdates(updated, !reset);
    if (reset)
        endResetModel();
}

void ConnectionModel::clear()
{
    beginResetModel();
    m_records.clear();
    m_rows.clear();
    endResetModel();
}

const ConnectionRecord *ConnectionModel::record(int row) const
{
    return row >= 0 && row < m_records.size() ? m_records.at(row).data() : nullptr;
}

int ConnectionModel::rowOf(const QString &id) const
{
    return m_rows.value(id, -1);
}

QStringList ConnectionModel::userNames() const
{
    QSet<QString> names;
    for (const auto &record : m_records) {
        if (!record->userId.isEmpty())
            names.insert(record->userName.isEmpty() ? record->userId : record->userName);
    }
    return sortedCaseInsensitive(names);
}

QStringList ConnectionModel::groupNames() const
{
    QSet<QString> names;
    for (const auto &record : m_records) {
        for (const QString &group : record->groups)
            names.insert(group);
    }
    return sortedCaseInsensitive(names);
}

QStringList ConnectionModel::sessions() const
{
    QSet<QString> sessions;
    for (const auto &record : m_records) {
        if (!record->session.isEmpty())
            sessions.insert(record->session);
    }
    return sortedCaseInsensitive(sessions);
}

void ConnectionModel::removeRowsInRanges(QVector<int> rows)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    const QVector<std::pair<int, int>> ranges = runs(rows);
    // Highest range first, so the rows of the ranges still to go keep their numbers.
    for (auto range = ranges.crbegin(); range != ranges.crend(); ++range) {
        const auto [first, last] = *range;
        beginRemoveRows({}, first, last);
        for (int row = first; row <= last; ++row)
            m_rows.remove(m_records.at(row)->id);
        m_records.remove(first, last - first + 1);
        endRemoveRows();
    }
    reindexFrom(rows.first());
}

void ConnectionModel::insertOrReplace(const QList<ConnectionRecord> &records, const QStringList &skipped,
                                      bool notify)
{
    const QSet<QString> skip = skipped.isEmpty() || records.isEmpty()
                                   ? QSet<QString>() : QSet<QString>(skipped.cbegin(), skipped.cend());
    QVector<ConnectionRecord> fresh;
    QHash<QString, int> freshRows;
    QVector<int> replaced;
    for (const ConnectionRecord &record : records) {
        if (skip.contains(record.id))
            continue;
        if (const auto known = m_rows.constFind(record.id); known != m_rows.cend()) {
            *m_records[*known] = record;
            replaced.append(*known);
        } else if (const auto pending = freshRows.constFind(record.id); pending != freshRows.cend()) {
            fresh[*pending] = record;
        } else {
            freshRows.insert(record.id, int(fresh.size()));
            fresh.append(record);
        }
    }
    if (!fresh.isEmpty()) {
        const int first = int(m_records.size());
        if (notify)
            beginInsertRows({}, first, first + int(fresh.size()) - 1);
        m_records.reserve(m_records.size() + fresh.size());
        for (ConnectionRecord &record : fresh) {
            m_rows.insert(record.id, int(m_records.size()));
            m_records.append(QSharedPointer<ConnectionRecord>::create(std::move(record)));
        }
        if (notify)
            endInsertRows();
    }
    if (notify)
        emitRowsChanged(std::move(replaced), 0, ColumnCount - 1, {});
}

void ConnectionModel::applyUpdates(const QList<ConnectionUpdate> &updated, bool notify)
{
    QVector<int> changed;
    changed.reserve(updated.size());
    for (const ConnectionUpdate &update : updated) {
        const auto it = m_rows.constFind(update.id);
        if (it == m_rows.cend())
            continue;
        ConnectionRecord &record = *m_records[*it];
        if (record.eventsSent == update.eventsSent && record.bytesSent == update.bytesSent
            && record.lastEventId == update.lastEventId)
            continue;
        record.eventsSent = update.eventsSent;
        record.bytesSent = update.bytesSent;
        record.lastEventId = update.lastEventId;
        changed.append(*it);
    }
    // Roles named so that listeners (ConnectionTreeModel) can tell a counter change from one
    // that moves a stream to another user or group.
    if (notify)
        emitRowsChanged(std::move(changed), EventsSent, LastEventId,
                        {Qt::DisplayRole, Qt::ToolTipRole, SortRole});
}

void ConnectionModel::emitRowsChanged(QVector<int> rows, int firstColumn, int lastColumn, const QList<int> &roles)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    for (const auto &[first, last] : runs(rows))
        Q_EMIT dataChanged(index(first, firstColumn), index(last, lastColumn), roles);
}

void ConnectionModel::reindexFrom(int row)
{
    for (int r = row; r < m_records.size(); ++r)
        m_rows.insert(m_records.at(r)->id, r);
}
