#pragma once

#include "streambreakdown.h"

#include <QChartView>

class QBarCategoryAxis;
class QBarSet;
class QHorizontalBarSeries;
class QValueAxis;

// Streams per category as horizontal bars, largest on top, with a value axis in streams.
// Long labels (user agents) are shortened in the middle; the bar's tooltip has them whole.
class BarBreakdownChart final : public QChartView
{
    Q_OBJECT

public:
    static constexpr int maxLabelLength = 24;

    explicit BarBreakdownChart(const QString &title, QWidget *parent = nullptr);

    void setSlices(const QList<StreamBreakdown::Slice> &slices);
    QList<StreamBreakdown::Slice> slices() const { return m_slices; }
    // The labels as the category axis shows them, top bar first.
    QStringList shownLabels() const;
    QBarCategoryAxis *categoryAxis() const { return m_categories; }
    QValueAxis *valueAxis() const { return m_value; }

private:
    QList<StreamBreakdown::Slice> m_slices;
    QHorizontalBarSeries *m_series;
    QBarSet *m_set;
    QBarCategoryAxis *m_categories;
    QValueAxis *m_value;
};
