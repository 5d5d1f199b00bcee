#pragma once

#include "targetpicker.h"

#include <QSet>
#include <QWidget>

class ConnectionFilterProxy;
class ConnectionModel;
class ConnectionTreeModel;
class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;
class QTreeView;

// The live streams: filters (text, user, group, event name), flat sortable table or a tree
// by user or by group with counts, and a context menu to kick, push to or pause a stream's
// session, user or group.
class ConnectionsView final : public QWidget
{
    Q_OBJECT

public:
    ConnectionsView(ConnectionModel *model, QWidget *parent = nullptr);

    ConnectionFilterProxy *proxy() const { return m_proxy; }
    ConnectionTreeModel *tree() const { return m_tree; }

Q_SIGNALS:
    void kickRequested(const QString &connectionId);
    void pushRequested(TargetPicker::Kind kind, const QStringList &values);
    void pauseRequested(TargetPicker::Kind kind, const QStringList &values);

private:
    void showMenu(const QPoint &position, const QModelIndex &index);
    void updateCount();
    void restoreExpansion();

    ConnectionModel *m_model;
    ConnectionFilterProxy *m_proxy;
    ConnectionTreeModel *m_tree;
    QLineEdit *m_text;
    QLineEdit *m_user;
    QLineEdit *m_group;
    QLineEdit *m_eventName;
    QComboBox *m_grouping;
    QStackedWidget *m_stack;
    QTableView *m_table;
    QTreeView *m_treeView;
    QLabel *m_count;
    QSet<QString> m_collapsed; // tree rows the operator folded, kept across rebuilds
};
