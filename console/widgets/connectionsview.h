#pragma once

#include "faultrequest.h"
#include "targetpicker.h"

#include <QPersistentModelIndex>
#include <QSet>
#include <QWidget>

#include <memory>

class ConnectionFilterProxy;
class ConnectionModel;
class ConnectionTreeModel;
class QComboBox;
class QHeaderView;
class QLabel;
class QLineEdit;
class QMenu;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTreeView;

// The live streams: filters (text, user, group, event name), flat sortable table or a tree
// by user or by group with counts, and a context menu to kick, push to or pause a stream's
// session, user or group, and (on a server with --test-faults) to inject a test fault into
// a stream or a user's or group's streams.
class ConnectionsView final : public QWidget
{
    Q_OBJECT

public:
    ConnectionsView(ConnectionModel *model, QWidget *parent = nullptr);
    // Its own models and views go after this class's part of the object (QWidget deletes
    // children), and a proxy going resets the tree: none may call back into it then.
    ~ConnectionsView() override;

    ConnectionFilterProxy *proxy() const { return m_proxy; }
    ConnectionTreeModel *tree() const { return m_tree; }
    // The menu of a row (flat or tree index); empty when the row has none.
    std::unique_ptr<QMenu> contextMenu(const QModelIndex &index);
    // A pane under the streams for the selected one (StreamDetailView).
    void setDetail(QWidget *detail);
    // Whether the server takes faults: without, the fault entries are shown disabled.
    void setFaultsEnabled(bool enabled) { m_faultsEnabled = enabled; }
    // Not live (the console lost its server): the rows stay, greyed, without menus or
    // selection, until the next snapshot replaces them.
    void setLive(bool live);
    bool isLive() const { return m_live; }
    QTableView *table() const { return m_table; }

Q_SIGNALS:
    void kickRequested(const QString &connectionId);
    // The current row of the table or the tree is this stream (empty: not a stream).
    void streamSelected(const QString &connectionId);
    void pushRequested(TargetPicker::Kind kind, const QStringList &values);
    void pauseRequested(TargetPicker::Kind kind, const QStringList &values);
    // A fault's type and scope (connection or target); scope describes it for the operator.
    void faultRequested(const FaultRequest &draft, const QString &scope);

private:
    void showMenu(const QPoint &position, const QModelIndex &index);
    void addFaultMenu(QMenu *menu, const FaultRequest &scope, const QString &scopeText);
    void updateCount();
    // Opens the columns wide enough for their usual widest text (a date and time, an id).
    void fitColumns(QHeaderView *header);
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
    QSplitter *m_split;
    QTableView *m_table;
    QTreeView *m_treeView;
    QLabel *m_count;
    QSet<QString> m_collapsed; // tree rows the operator folded, kept across rebuilds
    bool m_faultsEnabled = false;
    bool m_live = true;
    QPersistentModelIndex m_heldTop; // the first row in view while rows above it come or go
};
