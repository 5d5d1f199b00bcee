#include "sqliteeventlog.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include "base64url.h"
#include "privatefiles.h"
#include "sseencoder.h"

Q_LOGGING_CATEGORY(lcHistory, "eventsource.server.history")

namespace {

constexpr char digestPrefix[] = "hmac:";

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

SqliteEventLog::OpenResult SqliteEventLog::open(const QString &dataDir, Options options)
{
    if (const QString error = PrivateFiles::secureDir(dataDir); !error.isEmpty())
        return {nullptr, error};
    QString keyError;
    const std::optional<QByteArray> key =
        PrivateFiles::readOrCreateSecret(QDir(dataDir).filePath(QStringLiteral("history-key")), 32, &keyError);
    if (!key)
        return {nullptr, keyError};
    static int counter = 0;
    const QString name = QStringLiteral("eventsource-history-%1").arg(++counter);
    const QString file = QDir(dataDir).filePath(QStringLiteral("history.sqlite"));
    // Created private before SQLite opens it; its -wal and -shm files take the same mode.
    QString error = QFileInfo::exists(file) ? QString() : PrivateFiles::write(file, {});
    if (error.isEmpty()) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(file);
        // The file is ours alone: a lock held by anyone else fails the commit now, it never
        // holds the event loop (Qt's default waits 5 s).
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=0"));
        if (!db.open())
            error = QStringLiteral("cannot open %1: %2").arg(file, db.lastError().text());
    }
    // The log owns the connection from here: its destructor removes it.
    std::unique_ptr<SqliteEventLog> log(new SqliteEventLog(name, options, *key));
    if (error.isEmpty())
        error = log->load(options.sync);
    if (!error.isEmpty())
        return {nullptr, QStringLiteral("history %1: %2").arg(file, error)};
    return {std::move(log), {}};
}

SqliteEventLog::SqliteEventLog(QString connectionName, Options options, QByteArray sessionKey)
    : RingEventLog(options.capacity, options.maxBytes)
    , m_connectionName(std::move(connectionName))
    , m_sessionKey(std::move(sessionKey))
{
}

SqliteEventLog::~SqliteEventLog()
{
    m_statements.reset();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString SqliteEventLog::load(Sync sync)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QString error;
    // WAL: a commit is durable against a process crash once commit() returned. With
    // synchronous=NORMAL an OS crash or power loss may lose the last commits (never corrupt
    // the file); FULL syncs the WAL at every commit. The WAL file is cut back to 16 MiB.
    const QString synchronous = sync == Sync::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
    if (!exec(db, QStringLiteral("PRAGMA journal_mode=WAL"), &error)
        || !exec(db, QStringLiteral("PRAGMA synchronous=") + synchronous, &error)
        || !exec(db, QStringLiteral("PRAGMA journal_size_limit=16777216"), &error)
        || !exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"), &error)
        || !exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, name BLOB, "
                                    "data BLOB, target TEXT, created INTEGER NOT NULL)"), &error))
        return error;

    QSqlQuery meta(db);
    if (!meta.exec(QStringLiteral("SELECT key, value FROM meta")))
        return lastError(meta);
    QByteArray epoch;
    quint64 head = 0;
    std::optional<quint64> trimmed;
    while (meta.next()) {
        const QString key = meta.value(0).toString();
        if (key == QLatin1String("epoch"))
            epoch = meta.value(1).toString().toLatin1();
        else if (key == QLatin1String("head"))
            head = meta.value(1).toULongLong();
        else if (key == QLatin1String("trimmed"))
            trimmed = meta.value(1).toULongLong();
    }
    if (epoch.isEmpty()) {
        // Stored before any id of it is handed out.
        epoch = EventId::newEpoch();
        QSqlQuery insert(db);
        insert.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('epoch', ?), ('head', '0'), ('trimmed', '0')"));
        insert.addBindValue(QString::fromLatin1(epoch));
        if (!insert.exec())
            return lastError(insert);
        trimmed = 0;
    }
    if (!trimmed) {
        // Written before the trim point was stored: rows were trimmed from the oldest on.
        QSqlQuery oldest(db);
        if (!oldest.exec(QStringLiteral("SELECT MIN(seq) FROM events")) || !oldest.next())
            return lastError(oldest);
        trimmed = oldest.value(0).isNull() ? head : oldest.value(0).toULongLong() - 1;
    }

    QSqlQuery select(db);
    select.prepare(QStringLiteral("SELECT seq, name, data, target, created FROM events WHERE seq > ? ORDER BY seq"));
    select.addBindValue(*trimmed);
    if (!select.exec())
        return lastError(select);
    QList<Event> events;
    QList<std::pair<quint64, QByteArray>> rewrites;
    while (select.next()) {
        const quint64 seq = select.value(0).toULongLong();
        head = qMax(head, seq);
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
                trimmed = seq;
                continue;
            }
            event.target = *parsed;
            // Written before session digests existed: rewritten now.
            const QStringList written = event.target.sessions;
            for (QString &session : event.target.sessions)
                session = storedSession(session);
            if (event.target.sessions != written)
                rewrites.append({seq, storedTarget(event.target)});
        }
        event.createdAt = QDateTime::fromMSecsSinceEpoch(select.value(4).toLongLong(), Qt::UTC);
        event.frame = SseEncoder::event(event.id, event.name, event.data).value_or(QByteArray());
        events.append(event);
    }
    select.finish();
    if (!rewrites.isEmpty()) {
        db.transaction();
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE events SET target = ? WHERE seq = ?"));
        for (const auto &[seq, target] : std::as_const(rewrites)) {
            update.addBindValue(QString::fromUtf8(target));
            update.addBindValue(seq);
            if (!update.exec()) {
                db.rollback();
                return lastError(update);
            }
        }
        if (!db.commit())
            return db.lastError().text();
    }
    restore(epoch, head, *trimmed, events);
    m_trimmedInFile = *trimmed;
    if (const QString error = prepare(); !error.isEmpty())
        return error;
    qCInfo(lcHistory).nospace() << "history loaded epoch=" << epoch << " head=" << head
                                << " events=" << size() << " bytes=" << bytes();
    return {};
}

EventLog::Commit SqliteEventLog::commit(const QList<Event> &events)
{
    if (events.isEmpty())
        return {};
    if (const QString error = write(events, evictedThroughAfter(events)); !error.isEmpty()) {
        ++m_writeErrors;
        qCWarning(lcHistory).nospace() << "history write failed events=" << events.size() << " error=" << error;
        return {false, error};
    }
    return RingEventLog::commit(events);
}

QString SqliteEventLog::prepare()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    auto statements = std::unique_ptr<Statements>(new Statements{QSqlQuery(db), QSqlQuery(db), QSqlQuery(db)});
    if (!statements->insert.prepare(QStringLiteral("INSERT OR REPLACE INTO events (seq, name, data, target, created) "
                                                   "VALUES (?, ?, ?, ?, ?)")))
        return lastError(statements->insert);
    if (!statements->meta.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?), ('trimmed', ?)")))
        return lastError(statements->meta);
    if (!statements->trim.prepare(QStringLiteral("DELETE FROM events WHERE seq <= ?")))
        return lastError(statements->trim);
    m_statements = std::move(statements);
    return {};
}

QString SqliteEventLog::write(const QList<Event> &events, quint64 trimThrough)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction())
        return db.lastError().text();
    const auto fail = [&db](const QString &what) {
        db.rollback();
        return what;
    };
    QSqlQuery &insert = m_statements->insert;
    // Empty names and data are bound as NULL by Qt; the schema allows it and load() reads
    // NULL back as empty.
    for (const Event &event : events) {
        insert.addBindValue(seqOf(event));
        insert.addBindValue(event.name);
        insert.addBindValue(event.data);
        insert.addBindValue(QString::fromUtf8(storedTarget(event.target)));
        insert.addBindValue(event.createdAt.toMSecsSinceEpoch());
        if (!insert.exec())
            return fail(lastError(insert));
    }
    QSqlQuery &meta = m_statements->meta;
    meta.addBindValue(QString::number(qMax(headSeq(), seqOf(events.last()))));
    meta.addBindValue(QString::number(trimThrough));
    if (!meta.exec())
        return fail(lastError(meta));
    if (trimThrough > m_trimmedInFile) {
        QSqlQuery &trim = m_statements->trim;
        trim.addBindValue(trimThrough);
        if (!trim.exec())
            return fail(lastError(trim));
    }
    if (!db.commit())
        return fail(db.lastError().text());
    m_trimmedInFile = qMax(m_trimmedInFile, trimThrough);
    return {};
}

QString SqliteEventLog::sessionDigest(const QString &sessionId) const
{
    const QByteArray mac = QMessageAuthenticationCode::hash(sessionId.toUtf8(), m_sessionKey,
                                                           QCryptographicHash::Sha256);
    return QLatin1String(digestPrefix) + QString::fromLatin1(Base64Url::encode(mac.first(16)));
}

QString SqliteEventLog::storedSession(const QString &session) const
{
    return session.startsWith(QLatin1String(digestPrefix)) ? session : sessionDigest(session);
}

QByteArray SqliteEventLog::storedTarget(const Target &target) const
{
    Target stored = target;
    for (QString &session : stored.sessions)
        session = storedSession(session);
    return QJsonDocument(stored.toJson()).toJson(QJsonDocument::Compact);
}

bool SqliteEventLog::mayReach(const Event &event, const Principal &principal) const
{
    if (event.target.isBroadcast())
        return true;
    // Restored events name sessions by digest, events of this run by id; a digest is
    // compared only with the digest of the principal's session, never taken as an id.
    Target clear = event.target;
    QStringList digests;
    for (auto it = clear.sessions.begin(); it != clear.sessions.end();) {
        if (it->startsWith(QLatin1String(digestPrefix))) {
            digests.append(*it);
            it = clear.sessions.erase(it);
        } else {
            ++it;
        }
    }
    if (!clear.isBroadcast() && principal.isAddressedBy(clear))
        return true;
    return !digests.isEmpty() && !principal.sessionId.isEmpty()
        && digests.contains(sessionDigest(principal.sessionId));
}
