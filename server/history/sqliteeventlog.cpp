#include "sqliteeventlog.h"

#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include "sseencoder.h"

Q_LOGGING_CATEGORY(lcHistory, "eventsource.server.history")

namespace {

QString lastError(const QSqlQuery &query)
{
    return query.lastError().text();
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1: %2").arg(sql, lastError(query));
    return false;
}

} // namespace

SqliteEventLog::OpenResult SqliteEventLog::open(const QString &dataDir, int capacity)
{
    if (!QDir().mkpath(dataDir))
        return {nullptr, QStringLiteral("cannot create data dir %1").arg(dataDir)};
    static int counter = 0;
    const QString name = QStringLiteral("eventsource-history-%1").arg(++counter);
    const QString file = QDir(dataDir).filePath(QStringLiteral("history.sqlite"));
    QString error;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(file);
        if (!db.open())
            error = QStringLiteral("cannot open %1: %2").arg(file, db.lastError().text());
    }
    // The log owns the connection from here: its destructor removes it.
    std::unique_ptr<SqliteEventLog> log(new SqliteEventLog(name, capacity));
    if (error.isEmpty())
        error = log->load();
    if (!error.isEmpty())
        return {nullptr, QStringLiteral("history %1: %2").arg(file, error)};
    return {std::move(log), {}};
}

SqliteEventLog::SqliteEventLog(QString connectionName, int capacity)
    : RingEventLog(capacity)
    , m_connectionName(std::move(connectionName))
{
    m_commitTimer.setSingleShot(true);
    m_commitTimer.setInterval(0);
    QObject::connect(&m_commitTimer, &QTimer::timeout, &m_commitTimer, [this] { flush(); });
}

SqliteEventLog::~SqliteEventLog()
{
    flush();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString SqliteEventLog::load()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    // WAL with synchronous=NORMAL: a commit is durable against a process crash without an
    // fsync per event; a power loss may lose the last commits, never corrupt the file.
    if (!exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), &error)
        || !exec(db, QStringLiteral("PRAGMA synchronous=NORMAL"), &error)
        || !exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"), &error)
        || !exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, name BLOB, "
                                    "data BLOB, target TEXT, created INTEGER NOT NULL)"), &error))
        return error;

    QSqlQuery meta(db);
    if (!meta.exec(QStringLiteral("SELECT key, value FROM meta")))
        return lastError(meta);
    QByteArray epoch;
    quint64 head = 0;
    while (meta.next()) {
        if (meta.value(0).toString() == QLatin1String("epoch"))
            epoch = meta.value(1).toString().toLatin1();
        else if (meta.value(0).toString() == QLatin1String("head"))
            head = meta.value(1).toULongLong();
    }
    if (epoch.isEmpty()) {
        epoch = EventId::newEpoch();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('epoch', ?), ('head', '0')"));
        insert.addBindValue(QString::fromLatin1(epoch));
        if (!insert.exec())
            return lastError(insert);
    }

    QSqlQuery select(db);
    select.prepare(QStringLiteral("SELECT seq, name, data, target, created FROM events "
                                  "WHERE seq > ? ORDER BY seq"));
    select.addBindValue(head > quint64(capacity()) ? head - quint64(capacity()) : 0);
    if (!select.exec())
        return lastError(select);
    QList<Event> events;
    quint64 expected = 0;
    while (select.next()) {
        const quint64 seq = select.value(0).toULongLong();
        if (expected != 0 && seq != expected)
            events.clear(); // a hole: keep only the contiguous tail
        expected = seq + 1;
        Event event;
        event.id = EventId{epoch, seq}.toByteArray();
        event.name = select.value(1).toByteArray();
        event.data = select.value(2).toByteArray();
        const QJsonObject target = QJsonDocument::fromJson(select.value(3).toByteArray()).object();
        if (!target.isEmpty()) {
            QString error;
            const std::optional<Target> parsed = Target::fromJson(target, &error);
            if (!parsed) {
                // Never replay an event when we cannot tell whom it was for: replay starts
                // after it, so resuming from before it reports a gap.
                qCWarning(lcHistory).nospace() << "history event skipped seq=" << seq << " error=" << error;
                events.clear();
                continue;
            }
            event.target = *parsed;
        }
        event.createdAt = QDateTime::fromMSecsSinceEpoch(select.value(4).toLongLong(), Qt::UTC);
        event.frame = SseEncoder::event(event.id, event.name, event.data).value_or(QByteArray());
        events.append(event);
    }
    if (expected != 0 && expected - 1 != head)
        events.clear(); // the tail does not reach the head: nothing is exact, resume says so
    restore(epoch, head, events);
    qCInfo(lcHistory).nospace() << "history loaded epoch=" << epoch << " head=" << head
                                << " events=" << size();
    return {};
}

void SqliteEventLog::stored(const Event &event, quint64 seq)
{
    m_pending.append({seq, event});
    if (!m_commitTimer.isActive())
        m_commitTimer.start();
}

void SqliteEventLog::flush()
{
    m_commitTimer.stop();
    if (m_pending.isEmpty())
        return;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    // On failure the batch stays pending (bounded by the ring's capacity: older events
    // are gone from replay anyway) and the next commit tries again.
    const auto fail = [&](const QString &what) {
        ++m_writeErrors;
        qCWarning(lcHistory).nospace() << "history write failed events=" << m_pending.size()
                                       << " error=" << what;
        db.rollback();
        while (m_pending.size() > qMax(1, capacity()))
            m_pending.removeFirst();
    };
    if (!db.transaction())
        return fail(db.lastError().text());
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT OR REPLACE INTO events (seq, name, data, target, created) "
                                  "VALUES (?, ?, ?, ?, ?)"));
    // Empty names and data are bound as NULL by Qt; the schema allows it and load() reads
    // NULL back as empty.
    for (const auto &[seq, event] : std::as_const(m_pending)) {
        insert.addBindValue(seq);
        insert.addBindValue(event.name);
        insert.addBindValue(event.data);
        insert.addBindValue(QString::fromUtf8(QJsonDocument(event.target.toJson()).toJson(QJsonDocument::Compact)));
        insert.addBindValue(event.createdAt.toMSecsSinceEpoch());
        if (!insert.exec())
            return fail(lastError(insert));
    }
    const quint64 head = m_pending.last().first;
    QSqlQuery update(db);
    update.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'head'"));
    update.addBindValue(QString::number(head));
    QSqlQuery trim(db);
    trim.prepare(QStringLiteral("DELETE FROM events WHERE seq <= ?"));
    trim.addBindValue(head > quint64(capacity()) ? head - quint64(capacity()) : 0);
    if (!update.exec())
        return fail(lastError(update));
    if (!trim.exec())
        return fail(lastError(trim));
    if (!db.commit())
        return fail(db.lastError().text());
    m_pending.clear();
}
