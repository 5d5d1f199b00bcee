#pragma once

#include <QWidget>

class EventLogModel;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

// Every event published on the server, newest first, with a text filter.
class EventLogView final : public QWidget
{
    Q_OBJECT

public:
    explicit EventLogView(EventLogModel *model, QWidget *parent = nullptr);
    void setDropped(qint64 dropped);

private:
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QTableView *m_table;
    QLabel *m_dropped;
    qint64 m_totalDropped = 0;
};
