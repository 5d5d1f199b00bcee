#include "eventlogview.h"

#include "controlclient.h"
#include "eventlogmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

EventLogView::EventLogView(EventLogModel *model, ControlClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_dropped(new QLabel(this))
    , m_delivery(new QLabel(this))
    , m_refresh(new QPushButton(tr("&Refresh"), this))
{
    m_proxy->setSourceModel(model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_filter->setObjectName(QStringLiteral("eventFilter"));
    m_filter->setPlaceholderText(tr("filter events"));
    m_filter->setClearButtonEnabled(true);
    m_table->setObjectName(QStringLiteral("eventTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    // Wide enough for a whole date and time, and an event id, at the default size.
    m_table->setColumnWidth(EventLogModel::Time, fontMetrics().horizontalAdvance(QStringLiteral("2026-12-02 23:59:59____")));
    m_table->setColumnWidth(EventLogModel::Id, fontMetrics().horizontalAdvance(QStringLiteral("mwx1k2c4-000000____")));
    m_dropped->setObjectName(QStringLiteral("eventsDropped"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_dropped);
    m_delivery->setObjectName(QStringLiteral("deliveryStatus"));
    m_delivery->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_refresh->setObjectName(QStringLiteral("refreshDelivery"));
    m_refresh->setEnabled(false);
    auto *status = new QHBoxLayout;
    status->addWidget(m_delivery, 1);
    status->addWidget(m_refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addLayout(status);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &EventLogView::askDelivery);
    connect(m_refresh, &QPushButton::clicked, this, &EventLogView::askDelivery);
}

void EventLogView::askDelivery()
{
    const QModelIndex current = m_table->currentIndex();
    m_refresh->setEnabled(current.isValid());
    if (!current.isValid())
        return m_delivery->clear();
    const QString id = current.siblingAtColumn(EventLogModel::Id).data().toString();
    m_delivery->setText(tr("%1: asking…").arg(id));
    m_client->request(QStringLiteral("event.status"), {{QStringLiteral("event"), id}},
                      [this, alive = QPointer<EventLogView>(this), id](const QJsonObject &result, const QString &error) {
                          if (!alive || m_table->currentIndex().siblingAtColumn(EventLogModel::Id).data().toString() != id)
                              return;
                          if (!error.isEmpty())
                              return m_delivery->setText(tr("%1: %2").arg(id, error));
                          m_delivery->setText(tr("%1: delivered to %2, queued on %3, dropped on %n stream(s)", nullptr,
                                                 result.value(QStringLiteral("dropped")).toInt())
                                                  .arg(id)
                                                  .arg(result.value(QStringLiteral("delivered")).toInt())
                                                  .arg(result.value(QStringLiteral("queued")).toInt()));
                      });
}

void EventLogView::setDropped(qint64 dropped)
{
    m_totalDropped += dropped;
    m_dropped->setText(m_totalDropped ? tr("%1 not shown (rate limit)").arg(m_totalDropped) : QString());
}
