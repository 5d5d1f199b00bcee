#pragma once

#include <QSortFilterProxyModel>

// Filters ConnectionModel rows: free text (any column), user (id or name), group (id or
// name), event filter (streams whose URL filter contains the name). Empty criteria match all.
// Sorts on ConnectionModel::SortRole.
class ConnectionFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit ConnectionFilterProxy(QObject *parent = nullptr);
    void setText(const QString &text);
    void setUser(const QString &user);
    void setGroup(const QString &group);
    void setEventName(const QString &eventName);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void setCriterion(QString &criterion, const QString &value);

    QString m_text;
    QString m_user;
    QString m_group;
    QString m_eventName;
};
