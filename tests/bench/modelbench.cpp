// Feeds 15,000 connection records through the console's models the way the control channel
// does (snapshot pages of 500, then batches every tick) with the filter proxy (sorting on),
// the tree (by group) on the proxy, and a hidden QTreeView on the proxy, and prints per-operation
// timings. A benchmark, not a test: figures go to docs/BENCHMARKS.md.
//
// Usage: esh-modelbench [--records N] [--repetitions N] [--ticks N] [--sort-column C]

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QMetaEnum>
#include <QRandomGenerator>
#include <QTreeView>

#include "connectionfilterproxy.h"
#include "connectionmodel.h"
#include "connectiontreemodel.h"

namespace {

constexpr int pageSize = 500;

class Feed final
{
public:
    explicit Feed(quint32 seed) : m_random(seed) {}

    // Snapshot streams connected over the last day; later ones connect now.
    ConnectionRecord next(bool snapshot)
    {
        ConnectionRecord record;
        record.id = QString::number(++m_lastId);
        record.session = QStringLiteral("sess-%1").arg(m_random.bounded(1u << 30), 0, 36);
        if (m_random.bounded(100) >= 15) { // 15% anonymous
            const int user = int(m_random.bounded(3000));
            record.userId = QStringLiteral("u%1").arg(user);
            record.userName = QStringLiteral("user%1").arg(user);
            // Groups by user: none for some, one or two of twelve for the rest.
            for (int g = 0; g < user % 3; ++g) {
                const int group = (user / 3 + g * 5) % 12;
                record.groups.append(QStringLiteral("Group %1").arg(group));
                record.groupIds.append(QStringLiteral("g%1").arg(group));
            }
        }
        record.remoteAddress = QStringLiteral("10.0.%1.%2").arg(m_random.bounded(256)).arg(m_random.bounded(256));
        record.userAgent = QStringLiteral("Mozilla/5.0 (X11; Linux x86_64) Firefox/%1").arg(100 + m_random.bounded(30));
        if (m_random.bounded(100) < 30)
            record.filter = QStringList{QStringLiteral("itempurchased"), QStringLiteral("news")};
        record.connectedAt = snapshot ? m_start.addSecs(-qint64(m_random.bounded(86400)))
                                      : m_start.addMSecs(m_lastId);
        record.eventsSent = m_random.bounded(1000);
        record.bytesSent = record.eventsSent * 120;
        record.lastEventId = QStringLiteral("mwwh8g1s-%1").arg(record.eventsSent);
        m_live.append(record.id);
        return record;
    }

    QList<ConnectionRecord> opened(int count, bool snapshot = false)
    {
        QList<ConnectionRecord> out;
        out.reserve(count);
        for (int i = 0; i < count; ++i)
            out.append(next(snapshot));
        return out;
    }

    // Random live ids, scattered over the model as real closes are.
    QStringList closed(int count)
    {
        QStringList out;
        for (int i = 0; i < count && !m_live.isEmpty(); ++i) {
            const int at = int(m_random.bounded(quint32(m_live.size())));
            out.append(m_live.at(at));
            m_live[at] = m_live.last();
            m_live.removeLast();
        }
        return out;
    }

    QList<ConnectionUpdate> updated(int count)
    {
        QList<ConnectionUpdate> out;
        for (int i = 0; i < count; ++i) {
            const QString &id = m_live.at(int(m_random.bounded(quint32(m_live.size()))));
            const qint64 events = 1000 + m_random.bounded(100000);
            out.append({id, events, events * 120, QStringLiteral("mwwh8g1s-%1").arg(events)});
        }
        return out;
    }

private:
    QRandomGenerator m_random;
    const QDateTime m_start = QDateTime::currentDateTimeUtc();
    qint64 m_lastId = 0;
    QStringList m_live;
};

struct Samples
{
    QList<double> ms;

    double median() const
    {
        QList<double> sorted = ms;
        std::sort(sorted.begin(), sorted.end());
        const qsizetype n = sorted.size();
        return n == 0 ? 0 : (n % 2 ? sorted.at(n / 2) : (sorted.at(n / 2 - 1) + sorted.at(n / 2)) / 2);
    }
    double max() const { return ms.isEmpty() ? 0 : *std::max_element(ms.cbegin(), ms.cend()); }
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption recordsOption(QStringLiteral("records"), QStringLiteral("Streams in the snapshot."),
                                           QStringLiteral("n"), QStringLiteral("15000"));
    const QCommandLineOption repetitionsOption(QStringLiteral("repetitions"), QStringLiteral("Fresh runs."),
                                               QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption ticksOption(QStringLiteral("ticks"), QStringLiteral("Batch ticks per run."),
                                         QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption sortOption(QStringLiteral("sort-column"),
                                        QStringLiteral("ConnectionModel column the proxy sorts on."),
                                        QStringLiteral("column"), QStringLiteral("ConnectedAt"));
    parser.addOptions({recordsOption, repetitionsOption, ticksOption, sortOption});
    parser.process(app);
    const int records = parser.value(recordsOption).toInt();
    const int repetitions = parser.value(repetitionsOption).toInt();
    const int ticks = parser.value(ticksOption).toInt();
    bool sortOk = false;
    const int sortColumn = QMetaEnum::fromType<ConnectionModel::Column>().keyToValue(
        parser.value(sortOption).toLatin1().constData(), &sortOk);
    if (!sortOk || records < pageSize || repetitions < 1 || ticks < 1) {
        std::fprintf(stderr, "bad arguments\n");
        return 2;
    }

    // Insertion order of the report.
    const QStringList order{QStringLiteral("snapshot load"), QStringLiteral("1,000 opens"),
                            QStringLiteral("1,000 closes"), QStringLiteral("2,000 updates"),
                            QStringLiteral("mixed batch (300 opens, 300 closes, 400 updates)"),
                            QStringLiteral("tree rebuild (by group)"),
                            QStringLiteral("mass close of a third (reset path)")};
    std::map<QString, Samples> samples;

    for (int repetition = 0; repetition < repetitions; ++repetition) {
        Feed feed(0xE5B0 + quint32(repetition));
        ConnectionModel model;
        ConnectionFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(sortColumn, Qt::DescendingOrder);
        ConnectionTreeModel tree;
        tree.setGrouping(ConnectionTreeModel::Grouping::ByGroup);
        tree.setSourceModel(&proxy);
        QTreeView view; // never shown; lays out like a hidden tab's view
        view.setUniformRowHeights(true);
        view.setModel(&proxy);

        // Each operation ends with the view's layout, done now rather than on its 0 ms timer,
        // so that the tree's 250 ms timer never fires inside a measurement.
        const auto measure = [&](const QString &name, const std::function<void()> &operation) {
            QElapsedTimer timer;
            timer.start();
            operation();
            view.doItemsLayout();
            samples[name].ms.append(double(timer.nsecsElapsed()) / 1e6);
        };
        const auto rebuildTree = [&] {
            QElapsedTimer timer;
            timer.start();
            tree.rebuild();
            samples[QStringLiteral("tree rebuild (by group)")].ms.append(double(timer.nsecsElapsed()) / 1e6);
            QCoreApplication::processEvents();
        };

        measure(order.at(0), [&] {
            for (int first = 0; first < records; first += pageSize) {
                const QList<ConnectionRecord> page = feed.opened(std::min(pageSize, records - first), true);
                if (first == 0)
                    model.resetRecords(page);
                else
                    model.appendRecords(page);
            }
        });
        rebuildTree();
        for (int tick = 0; tick < ticks; ++tick) {
            measure(order.at(1), [&] { model.applyBatch(feed.opened(1000), {}, {}); });
            rebuildTree();
            measure(order.at(2), [&] { model.applyBatch({}, feed.closed(1000), {}); });
            rebuildTree();
            measure(order.at(3), [&] { model.applyBatch({}, {}, feed.updated(2000)); });
            rebuildTree();
            measure(order.at(4), [&] {
                const QStringList closed = feed.closed(300);
                const QList<ConnectionUpdate> updated = feed.updated(400);
                model.applyBatch(feed.opened(300), closed, updated);
            });
            rebuildTree();
        }
        if (model.rowCount() != records || proxy.rowCount() != records)
            qFatal("rows: model %d, proxy %d, expected %d", model.rowCount(), proxy.rowCount(), records);
        measure(order.at(6), [&] { model.applyBatch({}, feed.closed(records / 3), {}); });
    }

    std::printf("esh-modelbench: %d records, pages of %d, %d repetitions x %d ticks, proxy sorted on %s "
                "(descending), tree by group on the proxy, hidden QTreeView on the proxy\n",
                records, pageSize, repetitions, ticks, qPrintable(parser.value(sortOption)));
    std::printf("%-52s %6s %10s %10s\n", "operation", "n", "median ms", "max ms");
    for (const QString &name : order) {
        const Samples &s = samples[name];
        std::printf("%-52s %6lld %10.1f %10.1f\n", qPrintable(name), qlonglong(s.ms.size()), s.median(), s.max());
    }
    return 0;
}
