#pragma once

#include <QJsonArray>
#include <QWidget>

class QLabel;
class QTableWidget;

// The nodes of a cluster as the server lists them (control channel "nodes"): each with its
// open streams and its last heartbeat, the node the console is connected to first. A
// standalone server is one row.
class NodesView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodesView)

public:
    explicit NodesView(QWidget *parent = nullptr);

    void setNodes(const QJsonArray &nodes, const QString &error = {});
    int rowCount() const;
    QString cell(int row, int column) const;

private:
    QTableWidget *m_table;
    QLabel *m_summary;
};
