#pragma once

#include <QHeaderView>

// A header whose sort arrow points up over ascending rows and down over descending ones.
// QHeaderView (Qt 6.4) hands the style SortDown for Qt::AscendingOrder, and Fusion draws
// SortDown as a downward arrow: an operator reads "descending" over rows that ascend.
class SortHeaderView final : public QHeaderView
{
    Q_OBJECT

public:
    explicit SortHeaderView(Qt::Orientation orientation, QWidget *parent = nullptr);

protected:
    void initStyleOptionForIndex(QStyleOptionHeader *option, int logicalIndex) const override;
};
