#include "nodesview.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

NodesView::NodesView(QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableWidget(0, 4, this))
    , m_summary(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("nodes"));
    m_table->setHorizontalHeaderLabels({tr("Node"), tr("Streams"), tr("Last heartbeat"), tr("State")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_summary->setObjectName(QStringLiteral("nodesSummary"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
}

void NodesView::setNodes(const QJsonArray &nodes, const QString &error)
{
    m_table->setRowCount(int(nodes.size()));
    qint64 streams = 0;
    for (int row = 0; row < nodes.size(); ++row) {
        const QJsonObject node = nodes[row].toObject();
        const qint64 beat = node.value(QStringLiteral("heartbeatAt")).toInteger();
        const qint64 count = node.value(QStringLiteral("connections")).toInteger();
        streams += count;
        const QString state = row == 0 ? tr("this console's server") : tr("live");
        const QStringList cells{node.value(QStringLiteral("id")).toString(), QString::number(count),
                                beat > 0 ? QDateTime::fromMSecsSinceEpoch(beat).toString(QStringLiteral("HH:mm:ss"))
                                         : tr("—"),
                                state};
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column == 1)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, column, item);
        }
    }
    const QString streamText = streams == 1 ? tr("1 stream") : tr("%1 streams").arg(streams);
    QString summary = (nodes.size() == 1 ? tr("1 node") : tr("%1 nodes").arg(nodes.size())) + QStringLiteral(", ")
        + streamText;
    if (!error.isEmpty())
        summary += QStringLiteral(" — ") + error;
    m_summary->setText(summary);
}

int NodesView::rowCount() const
{
    return m_table->rowCount();
}

QString NodesView::cell(int row, int column) const
{
    const QTableWidgetItem *item = m_table->item(row, column);
    return item ? item->text() : QString();
}
