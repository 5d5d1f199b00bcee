#include "connectionfilterproxy.h"

#include "connectionmodel.h"

ConnectionFilterProxy::ConnectionFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ConnectionModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void ConnectionFilterProxy::setText(const QString &text)
{
    setCriterion(m_text, text);
}

void ConnectionFilterProxy::setUser(const QString &user)
{
    setCriterion(m_user, user);
}

void ConnectionFilterProxy::setGroup(const QString &group)
{
    setCriterion(m_group, group);
}

void ConnectionFilterProxy::setEventName(const QString &eventName)
{
    setCriterion(m_eventName, eventName);
}

void ConnectionFilterProxy::setCriterion(QString &criterion, const QString &value)
{
    const QString trimmed = value.trimmed();
    if (trimmed == criterion)
        return;
    criterion = trimmed;
    invalidateFilter();
}

// Cheap role checks first; the free text formats every column.
bool ConnectionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex row = source->index(sourceRow, 0, sourceParent);
    if (!m_user.isEmpty()
        && row.data(ConnectionModel::UserIdRole).toString().compare(m_user, Qt::CaseInsensitive) != 0
        && row.data(ConnectionModel::UserNameRole).toString().compare(m_user, Qt::CaseInsensitive) != 0)
        return false;
    if (!m_group.isEmpty()
        && !row.data(ConnectionModel::GroupsRole).toStringList().contains(m_group, Qt::CaseInsensitive)
        && !row.data(ConnectionModel::GroupIdsRole).toStringList().contains(m_group, Qt::CaseInsensitive))
        return false;
    // Event names are case-sensitive, as in the stream's URL filter.
    if (!m_eventName.isEmpty() && !row.data(ConnectionModel::FilterRole).toStringList().contains(m_eventName))
        return false;
    if (m_text.isEmpty())
        return true;
    const int columns = source->columnCount(sourceParent);
    for (int column = 0; column < columns; ++column) {
        if (source->index(sourceRow, column, sourceParent).data().toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}
