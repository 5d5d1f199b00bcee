#pragma once

#include <QChartView>
#include <QDateTime>
#include <QStringList>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

// One live measure over the last minutes: a time axis (wall-clock, hh:mm:ss) and ONE value
// axis titled with its unit, shared by every series of the chart, so only series of the same
// magnitude belong together. At most maxSamples points per series are kept.
class TimeSeriesChart final : public QChartView
{
    Q_OBJECT

public:
    static constexpr int maxSamples = 600; // ten minutes of one-a-second ticks
    static constexpr qint64 minSpanMs = 60 * 1000; // the time axis never shows less

    // title: what is measured ("Events published"); unit: the value axis' title ("events/s").
    TimeSeriesChart(const QString &title, const QString &unit, const QStringList &seriesNames,
                    QWidget *parent = nullptr);

    // One value per series, taken at `at` (samples arrive in time order).
    void addSample(const QDateTime &at, const QList<double> &values);
    void clear();
    int sampleCount() const;
    QLineSeries *series(int index) const { return m_series.value(index); }
    QDateTimeAxis *timeAxis() const { return m_time; }
    QValueAxis *valueAxis() const { return m_value; }

private:
    void updateRanges();

    QList<QLineSeries *> m_series;
    QDateTimeAxis *m_time;
    QValueAxis *m_value;
};
