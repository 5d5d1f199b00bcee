#include "eventlogmodel.h"

#include <algorithm>

namespace {

const QString timeFormat = QStringLiteral("yyyy-MM-dd hh:mm:ss");

QStringList texts(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &entry : value.toArray())
        out.append(entry.isDouble() ? QString::number(entry.toInteger()) : entry.toString());
    return out;
}

} // namespace

EventLogModel::EventLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity))
{
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size() || index.column() >= ColumnCount)
        return {};
    const Entry &entry = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayText(entry, index.column());
    case Qt::ToolTipRole:
        return index.column() == Data ? QVariant(entry.data) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Delivered ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case SortRole:
        switch (index.column()) {
        case Time: return entry.time;
        case Delivered: return entry.delivered;
        default: return displayText(entry, index.column());
        }
    case EventJsonRole:
        return entry.json;
    default:
        return {};
    }
}

QString EventLogModel::displayText(const Entry &entry, int column) const
{
    switch (column) {
    case Time: return entry.time.toLocalTime().toString(timeFormat);
    case Id: return entry.id;
    case Event: return entry.event;
    case Target: return entry.target;
    case Delivered: return entry.delivered < 0 ? QString() : QString::number(entry.delivered);
    case Data: return entry.dataLine;
    default: return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Id: return tr("Id");
    case Event: return tr("Event");
    case Target: return tr("Target");
    case Delivered: return tr("Delivered");
    case Data: return tr("Data");
    default: return {};
    }
}

void EventLogModel::addEvents(const QList<EventSummary> &events)
{
    // Only the newest `capacity` of a batch can stay.
    const int count = int(std::min<qsizetype>(events.size(), m_capacity));
    if (count == 0)
        return;
    const int overflow = int(m_entries.size()) + count - m_capacity;
    if (overflow > 0) {
        const int first = int(m_entries.size()) - overflow;
        beginRemoveRows({}, first, int(m_entries.size()) - 1);
        m_entries.remove(first, overflow);
        endRemoveRows();
    }
    beginInsertRows({}, 0, count - 1);
    QList<Entry> fresh;
    fresh.reserve(count + m_entries.size());
    for (qsizetype i = events.size() - 1; i >= events.size() - count; --i)
        fresh.append(entryFrom(events.at(i)));
    fresh.append(std::move(m_entries));
    m_entries = std::move(fresh);
    endInsertRows();
}

void EventLogModel::clear()
{
    if (m_entries.isEmpty())
        return;
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

EventLogModel::Entry EventLogModel::entryFrom(const EventSummary &event)
{
    Entry entry;
    entry.time = event.time;
    entry.id = event.id;
    entry.event = event.name.isEmpty() ? QStringLiteral("message") : event.name;
    entry.target = targetText(event.target);
    entry.delivered = event.delivered;
    entry.data = event.data;
    entry.dataLine = entry.data.simplified();
    // The server lists only the first 1,024 bytes of data; "size" tells what was cut.
    if (event.size > entry.data.toUtf8().size())
        entry.dataLine.append(QChar(0x2026));
    entry.json = event.toJson();
    return entry;
}

QString EventLogModel::targetText(const QJsonObject &object)
{
    QStringList parts;
    for (const auto &[key, label] : {std::pair{QStringLiteral("sessions"), tr("sessions")},
                                     std::pair{QStringLiteral("users"), tr("users")},
                                     std::pair{QStringLiteral("groups"), tr("groups")}}) {
        const QStringList names = texts(object.value(key));
        if (!names.isEmpty())
            parts.append(QStringLiteral("%1: %2").arg(label, names.join(QStringLiteral(", "))));
    }
    return parts.isEmpty() ? tr("everyone") : parts.join(QStringLiteral("; "));
}
