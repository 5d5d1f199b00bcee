#pragma once

#include <QList>
#include <QString>

class ConnectionModel;

// How the live streams divide up (per group, per user agent), largest first, cut to the top
// entries plus one "other" entry that sums the rest, so a chart stays readable at 15,000
// streams from 3,000 different browsers.
class StreamBreakdown final
{
public:
    struct Slice
    {
        QString label;
        int streams = 0;
        bool operator==(const Slice &other) const { return label == other.label && streams == other.streams; }
    };

    // A stream in several groups counts once in each; one in none counts under "no group".
    static QList<Slice> byGroup(const ConnectionModel &model, int top);
    // The exact User-Agent header; none sent counts under "no user agent".
    static QList<Slice> byUserAgent(const ConnectionModel &model, int top);
    // The `top` largest counts (ties by label), then "other" with the sum of the rest.
    static QList<Slice> largest(const QHash<QString, int> &counts, int top);
};
