#include "dashboardview.h"

#include "barbreakdownchart.h"
#include "connectionmodel.h"
#include "streambreakdown.h"
#include "timeserieschart.h"

#include <QDateTime>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QLoggingCategory>
#include <QScrollArea>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcDashboard, "eventsource.console.dashboard", QtInfoMsg)

namespace {

const QString unavailable = QStringLiteral("—");

QString rate(double value)
{
    return QLocale().toString(value, 'f', value < 10 ? 1 : 0);
}

} // namespace

const QStringList &DashboardView::figureKeys()
{
    static const QStringList keys{QStringLiteral("streams"), QStringLiteral("users"), QStringLiteral("groups"),
                                  QStringLiteral("eventsPerSecond"), QStringLiteral("deliveriesPerSecond"),
                                  QStringLiteral("bytesPerSecond"), QStringLiteral("slowConsumersDropped"),
                                  QStringLiteral("limitsHit"), QStringLiteral("historySize"),
                                  QStringLiteral("eventsPublished")};
    return keys;
}

DashboardView::DashboardView(ConnectionModel *connections, QWidget *parent)
    : QWidget(parent)
    , m_connections(connections)
    , m_streams(new TimeSeriesChart(tr("Open streams"), tr("streams"), {tr("streams")}, this))
    , m_events(new TimeSeriesChart(tr("Events published"), tr("events/s"), {tr("events/s")}, this))
    , m_deliveries(new TimeSeriesChart(tr("Deliveries (event × stream)"), tr("deliveries/s"), {tr("deliveries/s")}, this))
    , m_bytes(new TimeSeriesChart(tr("Bytes sent"), tr("KiB/s"), {tr("KiB/s")}, this))
    , m_groups(new BarBreakdownChart(tr("Streams per group"), this))
    , m_agents(new BarBreakdownChart(tr("Streams per user agent"), this))
{
    setObjectName(QStringLiteral("dashboard"));
    const QStringList titles{tr("Streams"), tr("Users"), tr("Groups"), tr("Events/s"), tr("Deliveries/s"),
                             tr("Bytes/s"), tr("Slow consumers dropped"), tr("Limits hit"), tr("History size"),
                             tr("Events published")};
    // Everything in a scroll area: six charts must not set the window's minimum size.
    auto *content = new QWidget;
    auto *figures = new QGridLayout;
    for (qsizetype i = 0; i < figureKeys().size(); ++i) {
        auto *tile = new QFrame(content);
        tile->setFrameShape(QFrame::StyledPanel);
        auto *tileLayout = new QVBoxLayout(tile);
        auto *title = new QLabel(titles[i], tile);
        auto *value = new QLabel(unavailable, tile);
        value->setObjectName(QStringLiteral("figure_") + figureKeys()[i]);
        QFont big = value->font();
        big.setPointSizeF(big.pointSizeF() * 1.6);
        big.setBold(true);
        value->setFont(big);
        tileLayout->addWidget(title);
        tileLayout->addWidget(value);
        figures->addWidget(tile, int(i / 5), int(i % 5));
        m_figures.insert(figureKeys()[i], value);
    }
    const struct { QChartView *chart; const char *name; } charts[] = {
        {m_streams, "streamsChart"}, {m_events, "eventsChart"}, {m_deliveries, "deliveriesChart"},
        {m_bytes, "bytesChart"}, {m_groups, "groupsChart"}, {m_agents, "agentsChart"}};
    auto *grid = new QGridLayout;
    for (int i = 0; i < 6; ++i) {
        charts[i].chart->setObjectName(QLatin1String(charts[i].name));
        charts[i].chart->setParent(content);
        grid->addWidget(charts[i].chart, i / 3, i % 3);
    }
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->addLayout(figures);
    contentLayout->addLayout(grid, 1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);

    // The bars and the users/groups figures follow the streams list, at most twice a second
    // (a full scan: cheap at 15,000 rows, not at every batch).
    m_breakdownTimer.setSingleShot(true);
    m_breakdownTimer.setInterval(500);
    connect(&m_breakdownTimer, &QTimer::timeout, this, &DashboardView::refreshBreakdowns);
    const auto schedule = [this] {
        if (!m_breakdownTimer.isActive())
            m_breakdownTimer.start();
    };
    connect(m_connections, &QAbstractItemModel::rowsInserted, this, schedule);
    connect(m_connections, &QAbstractItemModel::rowsRemoved, this, schedule);
    connect(m_connections, &QAbstractItemModel::modelReset, this, schedule);
    refreshBreakdowns();
    showUnavailable();
}

void DashboardView::addStats(const StatsTick &tick, const QDateTime &at)
{
    m_streams->addSample(at, {double(tick.connections)});
    m_events->addSample(at, {tick.eventsPerSecond});
    m_deliveries->addSample(at, {tick.deliveriesPerSecond});
    m_bytes->addSample(at, {tick.bytesPerSecond / 1024.0});
    if (!m_live)
        return;
    const QLocale locale;
    setFigure(QStringLiteral("streams"), locale.toString(tick.connections));
    setFigure(QStringLiteral("eventsPerSecond"), rate(tick.eventsPerSecond));
    setFigure(QStringLiteral("deliveriesPerSecond"), rate(tick.deliveriesPerSecond));
    setFigure(QStringLiteral("bytesPerSecond"), tr("%1/s").arg(locale.formattedDataSize(qint64(tick.bytesPerSecond))));
    setFigure(QStringLiteral("slowConsumersDropped"), locale.toString(tick.droppedSlowConsumers));
    setFigure(QStringLiteral("eventsPublished"), locale.toString(tick.eventsPublished));
    // An older server's tick has neither: unknown, not zero.
    setFigure(QStringLiteral("limitsHit"), tick.limitsHit ? locale.toString(*tick.limitsHit) : unavailable);
    setFigure(QStringLiteral("historySize"), tick.historySize ? locale.toString(*tick.historySize) : unavailable);
}

void DashboardView::setLive(bool live)
{
    if (live == m_live)
        return;
    m_live = live;
    qCDebug(lcDashboard) << "live=" << live;
    if (live)
        refreshBreakdowns();
    else
        showUnavailable();
}

QString DashboardView::figure(const QString &key) const
{
    const QLabel *label = m_figures.value(key);
    return label ? label->text() : QString();
}

void DashboardView::refreshBreakdowns()
{
    m_groups->setSlices(StreamBreakdown::byGroup(*m_connections, topCategories));
    m_agents->setSlices(StreamBreakdown::byUserAgent(*m_connections, topCategories));
    if (!m_live)
        return;
    const QLocale locale;
    setFigure(QStringLiteral("users"), locale.toString(m_connections->userNames().size()));
    setFigure(QStringLiteral("groups"), locale.toString(m_connections->groupNames().size()));
}

void DashboardView::setFigure(const QString &key, const QString &text)
{
    if (QLabel *label = m_figures.value(key))
        label->setText(text);
}

void DashboardView::showUnavailable()
{
    for (QLabel *label : std::as_const(m_figures))
        label->setText(unavailable);
}
