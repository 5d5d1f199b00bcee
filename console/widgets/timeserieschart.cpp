#include "timeserieschart.h"

#include <QDateTimeAxis>
#include <QLineSeries>
#include <QLoggingCategory>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcTimeSeries, "eventsource.console.chart")

namespace {

// The smallest of 1, 2, 5 x 10^k at or above value: a top the axis can tick evenly.
double niceCeiling(double value)
{
    if (value <= 1)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 5.0, 10.0}) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

TimeSeriesChart::TimeSeriesChart(const QString &title, const QString &unit, const QStringList &seriesNames,
                                 QWidget *parent)
    : QChartView(new QChart, parent) // owned by the view (setChart() would leak its default chart)
    , m_time(new QDateTimeAxis)
    , m_value(new QValueAxis)
{
    QChart *chart = this->chart();
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setVisible(seriesNames.size() > 1);
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_time->setFormat(QStringLiteral("hh:mm:ss"));
    m_time->setTitleText(tr("time"));
    m_time->setTickCount(5);
    m_value->setTitleText(unit);
    m_value->setLabelFormat(QStringLiteral("%.0f"));
    m_value->setTickCount(6);
    m_value->setMinorTickCount(1);
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_value, Qt::AlignLeft);
    for (const QString &name : seriesNames) {
        auto *series = new QLineSeries;
        series->setName(name);
        chart->addSeries(series);
        series->attachAxis(m_time);
        series->attachAxis(m_value);
        m_series.append(series);
    }
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 180);
    updateRanges();
}

void TimeSeriesChart::addSample(const QDateTime &at, const QList<double> &values)
{
    if (values.size() != m_series.size()) {
        qCWarning(lcTimeSeries) << "sample ignored: chart=" << chart()->title() << "values=" << values.size()
                                << "series=" << m_series.size();
        return;
    }
    const qreal x = qreal(at.toMSecsSinceEpoch());
    for (int i = 0; i < m_series.size(); ++i) {
        QLineSeries *series = m_series[i];
        series->append(x, values[i]);
        if (series->count() > maxSamples)
            series->removePoints(0, series->count() - maxSamples);
    }
    updateRanges();
}

void TimeSeriesChart::clear()
{
    for (QLineSeries *series : std::as_const(m_series))
        series->clear();
    updateRanges();
}

int TimeSeriesChart::sampleCount() const
{
    return m_series.isEmpty() ? 0 : int(m_series.first()->count());
}

void TimeSeriesChart::updateRanges()
{
    if (sampleCount() == 0) {
        const QDateTime now = QDateTime::currentDateTime();
        m_time->setRange(now.addMSecs(-minSpanMs), now);
        m_value->setRange(0, 1);
        return;
    }
    const qint64 last = qint64(m_series.first()->at(sampleCount() - 1).x());
    const qint64 first = std::min(qint64(m_series.first()->at(0).x()), last - minSpanMs);
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(first), QDateTime::fromMSecsSinceEpoch(last));
    double top = 0;
    for (const QLineSeries *series : std::as_const(m_series)) {
        for (const QPointF &point : series->points())
            top = std::max(top, point.y());
    }
    const double ceiling = niceCeiling(top * 1.1);
    m_value->setRange(0, ceiling);
    m_value->setLabelFormat(ceiling < 5 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
}
