#include "receivedeventmodel.h"

namespace {

// One line in a cell: data lines joined with a visible mark (the tooltip has them all).
QString oneLine(const QString &text)
{
    QString out = text;
    out.replace(u'\n', QStringLiteral(" \u23CE "));
    return out;
}

} // namespace

ReceivedEventModel::ReceivedEventModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(qMax(1, capacity))
{
}

int ReceivedEventModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ReceivedEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReceivedEventModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return entry.receivedAt.toString(QStringLiteral("HH:mm:ss.zzz"));
        case Id: return entry.message.lastEventId;
        case Type: return entry.message.type;
        case Data: return oneLine(entry.message.data);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Data)
            return entry.message.data;
        if (index.column() == Time)
            return entry.receivedAt.toString(Qt::ISODateWithMs);
        break;
    case SortRole:
        switch (index.column()) {
        case Time: return entry.receivedAt;
        case Id: return entry.message.lastEventId;
        case Type: return entry.message.type;
        case Data: return entry.message.data;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant ReceivedEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Id: return tr("Id");
    case Type: return tr("Type");
    case Data: return tr("Data");
    }
    return {};
}

void ReceivedEventModel::addEvent(const SseMessage &message, const QDateTime &receivedAt)
{
    if (m_entries.size() >= m_capacity) {
        const int excess = int(m_entries.size()) - m_capacity + 1;
        beginRemoveRows({}, 0, excess - 1);
        m_entries.remove(0, excess);
        endRemoveRows();
    }
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append({receivedAt, message});
    endInsertRows();
}

void ReceivedEventModel::clear()
{
    if (m_entries.isEmpty())
        return;
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

SseMessage ReceivedEventModel::message(int row) const
{
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).message : SseMessage();
}
