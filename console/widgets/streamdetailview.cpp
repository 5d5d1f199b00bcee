#include "streamdetailview.h"

#include "connectionmodel.h"
#include "controlclient.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

StreamDetailView::StreamDetailView(ControlClient *client, ConnectionModel *connections, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_connections(connections)
    , m_summary(new QLabel(this))
    , m_traceState(new QLabel(this))
    , m_trace(new QTableWidget(0, 5, this))
    , m_refresh(new QPushButton(tr("Refresh &trace"), this))
{
    m_summary->setObjectName(QStringLiteral("streamSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_traceState->setObjectName(QStringLiteral("traceState"));
    m_trace->setObjectName(QStringLiteral("trace"));
    m_trace->setHorizontalHeaderLabels({tr("Id"), tr("Event"), tr("Bytes"), tr("Time"), tr("How")});
    m_trace->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_trace->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_trace->verticalHeader()->setVisible(false);
    m_trace->horizontalHeader()->setStretchLastSection(true);
    m_refresh->setObjectName(QStringLiteral("refreshTrace"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_traceState, 1);
    bar->addWidget(m_refresh);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(bar);
    layout->addWidget(m_trace, 1);
    connect(m_refresh, &QPushButton::clicked, this, &StreamDetailView::askTrace);
    showStream({});
}

void StreamDetailView::showStream(const QString &connectionId)
{
    m_id = connectionId;
    m_refresh->setEnabled(!m_id.isEmpty());
    m_trace->setRowCount(0);
    const int row = m_connections->rowOf(m_id);
    if (m_id.isEmpty() || row < 0) {
        m_summary->setText(tr("Select a stream to see how it came back and what it received."));
        m_traceState->clear();
        return;
    }
    const QModelIndex resume = m_connections->index(row, ConnectionModel::Resume);
    m_summary->setText(tr("Stream %1 — resume: %2 (%3)")
                           .arg(m_id, resume.data().toString(), resume.data(Qt::ToolTipRole).toString()));
    askTrace();
}

void StreamDetailView::askTrace()
{
    if (m_id.isEmpty())
        return;
    m_traceState->setText(tr("asking…"));
    m_client->request(QStringLiteral("trace"), {{QStringLiteral("connection"), m_id}},
                      [this, alive = QPointer<StreamDetailView>(this), id = m_id](const QJsonObject &result,
                                                                                const QString &error) {
                          if (!alive || id != m_id)
                              return;
                          if (!error.isEmpty())
                              return m_traceState->setText(tr("trace: %1").arg(error));
                          const QJsonArray events = result.value(QStringLiteral("events")).toArray();
                          m_traceState->setText(tr("the last %n event(s) it received", nullptr, int(events.size())));
                          m_trace->setRowCount(int(events.size()));
                          for (int i = 0; i < events.size(); ++i) {
                              const QJsonObject event = events[i].toObject();
                              const QDateTime at = QDateTime::fromString(event.value(QStringLiteral("at")).toString(),
                                                                         Qt::ISODateWithMs);
                              const QStringList cells{
                                  event.value(QStringLiteral("id")).toString(),
                                  event.value(QStringLiteral("event")).toString(QStringLiteral("message")),
                                  QString::number(event.value(QStringLiteral("bytes")).toInteger()),
                                  at.toLocalTime().toString(QStringLiteral("hh:mm:ss.zzz")),
                                  event.value(QStringLiteral("replayed")).toBool() ? tr("replayed") : tr("live")};
                              for (int column = 0; column < cells.size(); ++column)
                                  m_trace->setItem(i, column, new QTableWidgetItem(cells[column]));
                          }
                      });
}
