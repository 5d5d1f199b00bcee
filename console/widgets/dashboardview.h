#pragma once

#include "statstick.h"

#include <QHash>
#include <QTimer>
#include <QWidget>

class BarBreakdownChart;
class ConnectionModel;
class QDateTime;
class QLabel;
class TimeSeriesChart;

// The Dashboard tab: the hub's live figures from the control channel's stats tick and the
// streams list, their last ten minutes as charts (one unit per chart), and streams per group
// and per user agent as bars. A figure the tick does not carry shows "—"; so do all figures
// while not connected (the charts keep their history).
class DashboardView final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int topCategories = 8;
    // Figure keys, in display order.
    static const QStringList &figureKeys();

    explicit DashboardView(ConnectionModel *connections, QWidget *parent = nullptr);

    void addStats(const StatsTick &tick, const QDateTime &at);
    void setLive(bool live);
    bool isLive() const { return m_live; }
    // The text of a figure ("1,234", "—"); empty for an unknown key.
    QString figure(const QString &key) const;
    TimeSeriesChart *streamsChart() const { return m_streams; }
    TimeSeriesChart *eventsChart() const { return m_events; }
    TimeSeriesChart *deliveriesChart() const { return m_deliveries; }
    TimeSeriesChart *bytesChart() const { return m_bytes; }
    BarBreakdownChart *groupsChart() const { return m_groups; }
    BarBreakdownChart *agentsChart() const { return m_agents; }

private:
    void refreshBreakdowns();
    void setFigure(const QString &key, const QString &text);
    void showUnavailable();

    ConnectionModel *m_connections;
    QHash<QString, QLabel *> m_figures;
    TimeSeriesChart *m_streams;
    TimeSeriesChart *m_events;
    TimeSeriesChart *m_deliveries;
    TimeSeriesChart *m_bytes;
    BarBreakdownChart *m_groups;
    BarBreakdownChart *m_agents;
    QTimer m_breakdownTimer;
    bool m_live = false;
};
