#include "barbreakdownchart.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QHorizontalBarSeries>
#include <QValueAxis>

#include <algorithm>

namespace {

QString shortened(const QString &label)
{
    if (label.size() <= BarBreakdownChart::maxLabelLength)
        return label;
    const int half = (BarBreakdownChart::maxLabelLength - 1) / 2;
    return label.left(half) + u'…' + label.right(BarBreakdownChart::maxLabelLength - 1 - half);
}

} // namespace

BarBreakdownChart::BarBreakdownChart(const QString &title, QWidget *parent)
    : QChartView(new QChart, parent) // owned by the view (setChart() would leak its default chart)
    , m_series(new QHorizontalBarSeries)
    , m_set(new QBarSet(tr("streams")))
    , m_categories(new QBarCategoryAxis)
    , m_value(new QValueAxis)
{
    QChart *chart = this->chart();
    chart->setTitle(title);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setVisible(false);
    m_series->append(m_set);
    m_series->setLabelsVisible(true);
    m_series->setLabelsPosition(QAbstractBarSeries::LabelsInsideEnd);
    chart->addSeries(m_series);
    m_value->setTitleText(tr("streams"));
    m_value->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_categories, Qt::AlignLeft);
    chart->addAxis(m_value, Qt::AlignBottom);
    m_series->attachAxis(m_categories);
    m_series->attachAxis(m_value);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 180);
    connect(m_series, &QHorizontalBarSeries::hovered, this, [this](bool status, int index) {
        // Bars are listed bottom up: the last slice is at index 0.
        const qsizetype slice = m_slices.size() - 1 - index;
        setToolTip(status && slice >= 0 && slice < m_slices.size()
                       ? tr("%1: %n stream(s)", nullptr, m_slices[slice].streams).arg(m_slices[slice].label)
                       : QString());
    });
    setSlices({});
}

void BarBreakdownChart::setSlices(const QList<StreamBreakdown::Slice> &slices)
{
    if (slices == m_slices && !m_categories->categories().isEmpty())
        return;
    m_slices = slices;
    // A horizontal bar chart draws its first category at the bottom: largest last.
    QStringList labels;
    QList<qreal> values;
    int top = 0;
    for (auto it = slices.crbegin(); it != slices.crend(); ++it) {
        QString label = shortened(it->label);
        // Categories must be distinct: two long labels may shorten alike.
        while (labels.contains(label))
            label += u' ';
        labels.append(label);
        values.append(it->streams);
        top = std::max(top, it->streams);
    }
    m_set->remove(0, m_set->count());
    m_set->append(values);
    m_categories->setCategories(labels.isEmpty() ? QStringList{tr("no streams")} : labels);
    // Whole streams, at most five steps of 1, 2 or 5 x 10^k streams to the top.
    int step = 1;
    for (int magnitude = 1; top > 5 * step; magnitude *= 10) {
        for (const int factor : {1, 2, 5}) {
            step = factor * magnitude;
            if (top <= 5 * step)
                break;
        }
    }
    const int axisTop = std::max(1, (top + step - 1) / step) * step;
    m_value->setRange(0, axisTop);
    m_value->setTickCount(axisTop / step + 1);
}

QStringList BarBreakdownChart::shownLabels() const
{
    QStringList labels = m_categories->categories();
    std::reverse(labels.begin(), labels.end());
    return labels;
}
