#include "streambreakdown.h"

#include "connectionmodel.h"

#include <QCoreApplication>
#include <QHash>

#include <algorithm>

QList<StreamBreakdown::Slice> StreamBreakdown::byGroup(const ConnectionModel &model, int top)
{
    QHash<QString, int> counts;
    for (int row = 0; row < model.rowCount(); ++row) {
        const ConnectionRecord *record = model.record(row);
        if (record->groups.isEmpty())
            ++counts[QCoreApplication::translate("StreamBreakdown", "no group")];
        for (const QString &group : record->groups)
            ++counts[group];
    }
    return largest(counts, top);
}

QList<StreamBreakdown::Slice> StreamBreakdown::byUserAgent(const ConnectionModel &model, int top)
{
    QHash<QString, int> counts;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QString &agent = model.record(row)->userAgent;
        ++counts[agent.isEmpty() ? QCoreApplication::translate("StreamBreakdown", "no user agent") : agent];
    }
    return largest(counts, top);
}

QList<StreamBreakdown::Slice> StreamBreakdown::largest(const QHash<QString, int> &counts, int top)
{
    QList<Slice> slices;
    slices.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        slices.append({it.key(), it.value()});
    std::sort(slices.begin(), slices.end(), [](const Slice &a, const Slice &b) {
        return a.streams != b.streams ? a.streams > b.streams : a.label < b.label;
    });
    // One entry past the top is shown as itself: an "other" of one says less.
    if (slices.size() <= top + 1)
        return slices;
    int rest = 0;
    for (qsizetype i = top; i < slices.size(); ++i)
        rest += slices[i].streams;
    slices.resize(top);
    slices.append({QCoreApplication::translate("StreamBreakdown", "other"), rest});
    return slices;
}
