#pragma once

#include <QWidget>

class ControlClient;
class EventLogModel;
class QLabel;
class QPushButton;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

// Every event published on the server, newest first, with a text filter; for the selected
// event, what became of it on the server's streams (delivered, queued, dropped), asked when
// it is selected and again with Refresh.
class EventLogView final : public QWidget
{
    Q_OBJECT

public:
    EventLogView(EventLogModel *model, ControlClient *client, QWidget *parent = nullptr);
    void setDropped(qint64 dropped);

private:
    void askDelivery();

    ControlClient *m_client;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QTableView *m_table;
    QLabel *m_dropped;
    QLabel *m_delivery;
    QPushButton *m_refresh;
    qint64 m_totalDropped = 0;
};
