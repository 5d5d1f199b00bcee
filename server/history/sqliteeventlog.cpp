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

SqliteEventLog::OpenResult SqliteEventLog::open(const QString &dataDir, int capacity)
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
        if (!db.open())
            error = QStringLiteral("cannot open %1: %2").arg(file, db.lastError().text());
    }
    // The log owns the connection from here: its destructor removes it.
    std::unique_ptr<SqliteEventLog> log(new SqliteEventLog(name, capacity, *key));
    if (error.isEmpty())
        error = log->load();
    if (!error.isEmpty())
        return {nullptr, QStringLiteral("history %1: %2").arg(file, error)};
    return {std::move(log), {}};
}

SqliteEventLog::SqliteEventLog(QString connectionName, int capacity, QByteArray sessionKey)
    : RingEventLog(capacity)
    , m_connectionName(std::move(connectionName))
    , m_sessionKey(std::move(sessionKey))
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
            // Written before session digests existed: rewritten at the next commit.
            const QStringList written = event.target.sessions;
            for (QString &session : event.target.sessions)
                session = storedSession(session);
            if (event.target.sessions != written) {
                m_pending.append({seq, event});
                m_commitTimer.start();
            }
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
        insert.addBindValue(QString::fromUtf8(storedTarget(event.target)));
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
