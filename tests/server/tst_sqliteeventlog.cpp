#include "sqliteeventlog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

Q_DECLARE_METATYPE(EventLog::ResumeStatus)

namespace {

QByteArrayList idsOf(const QList<Event> &events)
{
    QByteArrayList out;
    for (const Event &event : events)
        out.append(event.id);
    return out;
}

Event draft(const QByteArray &name, const QByteArray &data, const Target &target = {})
{
    Event event;
    event.name = name;
    event.data = data;
    event.target = target;
    return event;
}

// Assigns `count` events named "e1", "e2", ... with data "d1", "d2", ...
QList<Event> assigned(EventLog &log, int count)
{
    QList<Event> events;
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i + 1);
        events.append(log.assign(draft("e" + n, "d" + n)));
    }
    return events;
}

// Appends them, each in a transaction of its own.
void fill(EventLog &log, int count)
{
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i + 1);
        log.append(draft("e" + n, "d" + n));
    }
}

QByteArray epochOf(const EventLog &log)
{
    const std::optional<EventId> head = EventId::parse(log.headId());
    return head ? head->epoch : QByteArray();
}

// Opens (creating) the log in dataDir, stores `count` events named as fill() does in
// `transactions` commits, checks there was no write error and closes it; sets `epoch` to the
// epoch of its ids.
void writeLog(const QString &dataDir, int capacity, int count, QByteArray &epoch, int transactions = 1)
{
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dataDir, capacity);
    QVERIFY2(opened.log, qPrintable(opened.error));
    epoch = epochOf(*opened.log);
    const QList<Event> events = assigned(*opened.log, count);
    const int perCommit = (count + transactions - 1) / transactions;
    for (int done = 0; done < count; done += perCommit)
        QVERIFY(opened.log->commit(events.mid(done, qMin(perCommit, count - done))).ok);
    QCOMPARE(opened.log->writeErrors(), 0);
}

// Reads the history file through a connection of its own, as another process would: only
// committed rows are visible.
class FileReader final
{
public:
    explicit FileReader(const QString &dataDir)
        : m_name(QStringLiteral("tst-reader-%1").arg(++s_counter))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("history.sqlite")));
        db.open();
    }
    ~FileReader()
    {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }

    // -1 when the query fails.
    qint64 scalar(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        if (!query.exec(sql) || !query.next())
            return -1;
        return query.value(0).toLongLong();
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        return query.exec(sql);
    }
    qint64 eventCount() const { return scalar(QStringLiteral("SELECT COUNT(*) FROM events")); }
    qint64 head() const { return scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'head'")); }

private:
    static inline int s_counter = 0;
    QString m_name;
};

} // namespace

class tst_SqliteEventLog final : public QObject
{
    Q_OBJECT

private slots:
    void openCreatesHistory();
    void reopenRestores();
    void reopenedLogContinuesIds();
    void persistsEveryEventShape_data();
    void persistsEveryEventShape();
    void resumeAcrossReopen_data();
    void resumeAcrossReopen();
    void trimmedInFile_data();
    void trimmedInFile();
    void openFails_data();
    void openFails();
    void commitIsOneTransaction();
    void failedCommitStoresNothing();
    void boundedByBytes();
    void sessionIdsNeverInFile();
    void restoredEventReachesItsSessionOnly();
    void clearSessionsFromOlderFilesRewritten();
    void filesArePrivate();
};

void tst_SqliteEventLog::openCreatesHistory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString dataDir = dir.filePath(QStringLiteral("nested/data"));

    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dataDir, 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    QVERIFY(opened.error.isEmpty());
    QVERIFY(QFile::exists(QDir(dataDir).filePath(QStringLiteral("history.sqlite"))));

    const SqliteEventLog &log = *opened.log;
    QVERIFY(log.isPersistent());
    QCOMPARE(log.capacity(), 10);
    QCOMPARE(log.size(), 0);
    const std::optional<EventId> head = EventId::parse(log.headId());
    QVERIFY2(head, log.headId().constData());
    QCOMPARE(head->seq, quint64(0));
    QCOMPARE(log.writeErrors(), 0);
}

void tst_SqliteEventLog::reopenRestores()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    Target alice;
    alice.users = QStringList{QStringLiteral("alice")};
    Target mixed;
    mixed.sessions = QStringList{QStringLiteral("s1")};
    mixed.groups = QStringList{QStringLiteral("ops"), QStringLiteral("7")};
    const QDateTime created = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);

    QList<Event> written;
    QByteArray headId;
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        Event first = draft("greet", "hello", alice);
        first.createdAt = created;
        written.append(opened.log->append(first));
        written.append(opened.log->append(draft("multi", "line 1\nline 2")));
        written.append(opened.log->append(draft("ops", R"({"n":1})", mixed)));
        headId = opened.log->headId();
        QCOMPARE(opened.log->writeErrors(), 0);
    } // each append committed at once; no event loop ran

    SqliteEventLog::OpenResult reopened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(reopened.log, qPrintable(reopened.error));
    const SqliteEventLog &log = *reopened.log;
    QCOMPARE(log.headId(), headId);
    QCOMPARE(log.size(), 3);

    const QList<Event> restored = log.recent(10);
    QCOMPARE(restored.size(), written.size());
    for (int i = 0; i < written.size(); ++i) {
        QCOMPARE(restored.at(i).id, written.at(i).id);
        QCOMPARE(restored.at(i).name, written.at(i).name);
        QCOMPARE(restored.at(i).data, written.at(i).data);
        // Sessions come back as their digests; everything else as written.
        Target expected = written.at(i).target;
        for (QString &session : expected.sessions)
            session = log.sessionDigest(session);
        QCOMPARE(restored.at(i).target, expected);
        QCOMPARE(restored.at(i).frame, written.at(i).frame);
        QCOMPARE(restored.at(i).createdAt.toMSecsSinceEpoch(), written.at(i).createdAt.toMSecsSinceEpoch());
    }
    QCOMPARE(restored.first().createdAt, created);
}

void tst_SqliteEventLog::reopenedLogContinuesIds()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray epoch;
    writeLog(dir.path(), 10, 2, epoch);
    if (QTest::currentTestFailed())
        return;
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        QCOMPARE(epochOf(*opened.log), epoch);
        QCOMPARE(opened.log->append(draft("next", "x")).id, (EventId{epoch, 3}.toByteArray()));
    }
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    QCOMPARE(opened.log->headId(), (EventId{epoch, 3}.toByteArray()));
    QCOMPARE(opened.log->size(), 3);
}

void tst_SqliteEventLog::persistsEveryEventShape_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");

    QTest::addRow("named event") << QByteArray("greet") << QByteArray("hello");
    QTest::addRow("plain message (no name)") << QByteArray() << QByteArray("hello");
    QTest::addRow("named event with empty data") << QByteArray("ping") << QByteArray("");
    QTest::addRow("named event with null data") << QByteArray("ping") << QByteArray();
    QTest::addRow("binary-looking data") << QByteArray("bin") << QByteArray("\xff\xfe\x01");
}

// Every event the hub accepts must survive a restart, not only the named ones.
void tst_SqliteEventLog::persistsEveryEventShape()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray id;
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        id = opened.log->append(draft(name, data)).id;
        QCOMPARE(opened.log->writeErrors(), 0);
    }
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    QCOMPARE(opened.log->headId(), id);
    const QList<Event> restored = opened.log->recent(10);
    QCOMPARE(restored.size(), 1);
    QCOMPARE(restored.first().id, id);
    QCOMPARE(restored.first().name, name);
    QCOMPARE(restored.first().data, data);
}

void tst_SqliteEventLog::resumeAcrossReopen_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("reopenCapacity");
    QTest::addColumn<quint64>("resumeSeq");
    QTest::addColumn<EventLog::ResumeStatus>("status");
    QTest::addColumn<QList<quint64>>("replayed");

    using S = EventLog::ResumeStatus;
    // Five events written before the reopen.
    QTest::addRow("from 0") << 10 << 10 << quint64(0) << S::Exact << QList<quint64>{1, 2, 3, 4, 5};
    QTest::addRow("from the middle") << 10 << 10 << quint64(3) << S::Exact << QList<quint64>{4, 5};
    QTest::addRow("from the head") << 10 << 10 << quint64(5) << S::Exact << QList<quint64>{};
    QTest::addRow("beyond the head") << 10 << 10 << quint64(6) << S::Unknown
                                     << QList<quint64>{1, 2, 3, 4, 5};
    QTest::addRow("smaller capacity on reopen, still kept")
        << 10 << 2 << quint64(3) << S::Exact << QList<quint64>{4, 5};
    QTest::addRow("smaller capacity on reopen, trimmed")
        << 10 << 2 << quint64(1) << S::TooOld << QList<quint64>{4, 5};
    QTest::addRow("trimmed before the reopen") << 3 << 3 << quint64(1) << S::TooOld
                                               << QList<quint64>{3, 4, 5};
}

void tst_SqliteEventLog::resumeAcrossReopen()
{
    QFETCH(int, capacity);
    QFETCH(int, reopenCapacity);
    QFETCH(quint64, resumeSeq);
    QFETCH(EventLog::ResumeStatus, status);
    QFETCH(QList<quint64>, replayed);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray epoch;
    writeLog(dir.path(), capacity, 5, epoch);
    if (QTest::currentTestFailed())
        return;
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), reopenCapacity);
    QVERIFY2(opened.log, qPrintable(opened.error));

    QByteArrayList expected;
    for (const quint64 seq : std::as_const(replayed))
        expected.append(EventId{epoch, seq}.toByteArray());
    const EventLog::Replay replay = opened.log->replaySince(EventId{epoch, resumeSeq}.toByteArray());
    QCOMPARE(replay.status, status);
    QCOMPARE(idsOf(replay.events), expected);
}

void tst_SqliteEventLog::trimmedInFile_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("appended");
    QTest::addColumn<int>("flushes"); // the events are written in this many transactions
    QTest::addColumn<int>("kept");

    QTest::addRow("under capacity") << 5 << 3 << 1 << 3;
    QTest::addRow("over capacity in one transaction") << 3 << 8 << 1 << 3;
    QTest::addRow("over capacity across transactions") << 3 << 8 << 8 << 3;
    QTest::addRow("capacity zero") << 0 << 4 << 2 << 0;
}

void tst_SqliteEventLog::trimmedInFile()
{
    QFETCH(int, capacity);
    QFETCH(int, appended);
    QFETCH(int, flushes);
    QFETCH(int, kept);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray epoch;
    writeLog(dir.path(), capacity, appended, epoch, flushes);
    if (QTest::currentTestFailed())
        return;
    {
        const FileReader file(dir.path());
        QCOMPARE(file.eventCount(), qint64(kept));
        QCOMPARE(file.head(), qint64(appended));
    }

    QByteArrayList expected;
    for (int seq = appended - kept + 1; seq <= appended; ++seq)
        expected.append(EventId{epoch, quint64(seq)}.toByteArray());

    SqliteEventLog::OpenResult same = SqliteEventLog::open(dir.path(), capacity);
    QVERIFY2(same.log, qPrintable(same.error));
    QCOMPARE(same.log->size(), kept);
    QCOMPARE(idsOf(same.log->recent(appended)), expected);
    same.log.reset();

    // A larger capacity on reopen finds no more: the rows are gone from the file.
    SqliteEventLog::OpenResult larger = SqliteEventLog::open(dir.path(), appended * 2);
    QVERIFY2(larger.log, qPrintable(larger.error));
    QCOMPARE(idsOf(larger.log->recent(appended)), expected);
    QCOMPARE(larger.log->headId(), (EventId{epoch, quint64(appended)}.toByteArray()));
}

void tst_SqliteEventLog::openFails_data()
{
    QTest::addColumn<QString>("setup");

    QTest::addRow("data dir under a regular file") << QStringLiteral("file-parent");
    QTest::addRow("history.sqlite is a directory") << QStringLiteral("db-is-dir");
    QTest::addRow("history.sqlite is not a database") << QStringLiteral("garbage-db");
}

void tst_SqliteEventLog::openFails()
{
    QFETCH(QString, setup);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QString dataDir = dir.path();
    const QString dbPath = QDir(dataDir).filePath(QStringLiteral("history.sqlite"));
    if (setup == QLatin1String("file-parent")) {
        QFile file(dir.filePath(QStringLiteral("plain-file")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a directory");
        dataDir = dir.filePath(QStringLiteral("plain-file/data"));
    } else if (setup == QLatin1String("db-is-dir")) {
        QVERIFY(QDir().mkpath(dbPath));
    } else {
        QFile file(dbPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    }

    const SqliteEventLog::OpenResult opened = SqliteEventLog::open(dataDir, 10);
    QVERIFY(!opened.log);
    QVERIFY(!opened.error.isEmpty());
    QVERIFY2(opened.error.contains(dataDir), qPrintable(opened.error));
}

void tst_SqliteEventLog::commitIsOneTransaction()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    const FileReader file(dir.path());
    QCOMPARE(file.eventCount(), qint64(0));

    const QList<Event> events = assigned(*opened.log, 2);
    // Assigned is not stored: neither the file nor a replay has them.
    QCOMPARE(file.eventCount(), qint64(0));
    QCOMPARE(opened.log->size(), 0);
    QVERIFY(opened.log->commit(events).ok);
    QCOMPARE(file.eventCount(), qint64(2));
    QCOMPARE(file.head(), qint64(2));
    QCOMPARE(opened.log->headId(), events.last().id);

    fill(*opened.log, 1);
    QCOMPARE(file.eventCount(), qint64(3));
    QCOMPARE(file.head(), qint64(3));
    QCOMPARE(opened.log->writeErrors(), 0);
}

// Another connection holds the write lock: the commit fails at once (no busy wait), stores
// nothing, and its ids are never handed out again, in this run or after a reopen.
void tst_SqliteEventLog::failedCommitStoresNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray firstId;
    QByteArray failedId;
    QByteArray laterId;
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        SqliteEventLog &log = *opened.log;
        firstId = log.append(draft("a", "1")).id;
        const FileReader locker(dir.path());
        QVERIFY(locker.exec(QStringLiteral("BEGIN IMMEDIATE")));
        const Event failed = log.assign(draft("b", "2"));
        failedId = failed.id;
        const EventLog::Commit commit = log.commit({failed});
        QVERIFY(!commit.ok);
        QVERIFY(!commit.error.isEmpty());
        QCOMPARE(log.writeErrors(), qint64(1));
        QCOMPARE(log.headId(), firstId);
        QCOMPARE(log.size(), 1);
        QVERIFY(locker.exec(QStringLiteral("ROLLBACK")));

        const Event later = log.append(draft("c", "3"));
        QVERIFY(!later.id.isEmpty());
        laterId = later.id;
        QVERIFY(EventId::parse(laterId)->seq > EventId::parse(failedId)->seq);
        const EventLog::Replay replay = log.replaySince(firstId);
        QCOMPARE(replay.status, EventLog::ResumeStatus::Exact);
        QCOMPARE(idsOf(replay.events), QByteArrayList{laterId});
    }
    SqliteEventLog::OpenResult reopened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(reopened.log, qPrintable(reopened.error));
    QCOMPARE(idsOf(reopened.log->recent(10)), (QByteArrayList{firstId, laterId}));
    QVERIFY(EventId::parse(reopened.log->append(draft("d", "4")).id)->seq > EventId::parse(laterId)->seq);
}

// The file keeps what the ring keeps when bytes, not the count, are the bound; a resume from
// an evicted id is too old, after a reopen too.
void tst_SqliteEventLog::boundedByBytes()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray data(10 * 1024, 'x');
    const qint64 maxBytes = 64 * 1024;
    SqliteEventLog::Options options;
    options.capacity = 1000;
    options.maxBytes = maxBytes;
    QByteArray firstId;
    QByteArrayList kept;
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), options);
        QVERIFY2(opened.log, qPrintable(opened.error));
        for (int i = 0; i < 20; ++i) {
            const QByteArray id = opened.log->append(draft("big", data)).id;
            if (i == 0)
                firstId = id;
        }
        QVERIFY(opened.log->bytes() <= maxBytes);
        QVERIFY(opened.log->size() > 1);
        QVERIFY(opened.log->size() < 20);
        kept = idsOf(opened.log->recent(1000));
        const FileReader file(dir.path());
        QCOMPARE(file.eventCount(), qint64(kept.size()));
    }
    SqliteEventLog::OpenResult reopened = SqliteEventLog::open(dir.path(), options);
    QVERIFY2(reopened.log, qPrintable(reopened.error));
    QCOMPARE(idsOf(reopened.log->recent(1000)), kept);
    QVERIFY(reopened.log->bytes() <= maxBytes);
    QCOMPARE(reopened.log->maxBytes(), maxBytes);
    const EventLog::Replay replay = reopened.log->replaySince(firstId);
    QCOMPARE(replay.status, EventLog::ResumeStatus::TooOld);
    QCOMPARE(idsOf(replay.events), kept);
}

namespace {

// Everything SQLite keeps on disk for the history, as bytes.
QByteArray historyBytes(const QString &dataDir)
{
    QByteArray all;
    for (const char *name : {"history.sqlite", "history.sqlite-wal", "history.sqlite-shm"}) {
        QFile file(QDir(dataDir).filePath(QString::fromLatin1(name)));
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

int modeOf(const QString &path)
{
    struct stat status{};
    return ::stat(QFile::encodeName(path).constData(), &status) == 0 ? int(status.st_mode & 07777) : -1;
}

Principal sessionPrincipal(const QString &session)
{
    Principal principal;
    principal.sessionId = session;
    return principal;
}

} // namespace

void tst_SqliteEventLog::sessionIdsNeverInFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString secret = QStringLiteral("secret-session-0123456789");
    SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(opened.log, qPrintable(opened.error));
    opened.log->append(draft("private", "for one session", Target{{secret}, {}, {}}));
    const QByteArray bytes = historyBytes(dir.path());
    QVERIFY(bytes.contains("for one session")); // the file is what was read
    QVERIFY(!bytes.contains(secret.toUtf8()));
    QVERIFY(bytes.contains(opened.log->sessionDigest(secret).toUtf8()));
}

void tst_SqliteEventLog::restoredEventReachesItsSessionOnly()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        opened.log->append(draft("private", "x", Target{{QStringLiteral("s-alice")}, {}, {}}));
    }
    SqliteEventLog::OpenResult reopened = SqliteEventLog::open(dir.path(), 10);
    QVERIFY2(reopened.log, qPrintable(reopened.error));
    const QList<Event> events = reopened.log->recent(1);
    QCOMPARE(events.size(), 1);
    QVERIFY(!events.first().target.sessions.contains(QStringLiteral("s-alice")));
    QVERIFY(reopened.log->mayReach(events.first(), sessionPrincipal(QStringLiteral("s-alice"))));
    QVERIFY(!reopened.log->mayReach(events.first(), sessionPrincipal(QStringLiteral("s-bob"))));
    QVERIFY(!reopened.log->mayReach(events.first(), sessionPrincipal(QString())));
    // A digest is no session id: presenting one reaches nothing.
    QVERIFY(!reopened.log->mayReach(events.first(), sessionPrincipal(events.first().target.sessions.first())));
}

void tst_SqliteEventLog::clearSessionsFromOlderFilesRewritten()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray epoch;
    writeLog(dir.path(), 10, 1, epoch, 1);
    {
        // As a version before digests wrote it.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("older"));
        db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("history.sqlite")));
        QVERIFY(db.open());
        QSqlQuery update(db);
        QVERIFY(update.exec(QStringLiteral(R"(UPDATE events SET target = '{"sessions":["old-clear-id"]}')")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("older"));
    QVERIFY(historyBytes(dir.path()).contains("old-clear-id"));
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dir.path(), 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        QVERIFY(opened.log->mayReach(opened.log->recent(1).first(), sessionPrincipal(QStringLiteral("old-clear-id"))));
    }
    const FileReader file(dir.path());
    QCOMPARE(file.eventCount(), qint64(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    db.setDatabaseName(QDir(dir.path()).filePath(QStringLiteral("history.sqlite")));
    QVERIFY(db.open());
    QSqlQuery select(db);
    QVERIFY(select.exec(QStringLiteral("SELECT target FROM events")));
    QVERIFY(select.next());
    QVERIFY2(!select.value(0).toString().contains(QStringLiteral("old-clear-id")), qPrintable(select.value(0).toString()));
}

void tst_SqliteEventLog::filesArePrivate()
{
    QTemporaryDir parent;
    QVERIFY(parent.isValid());
    const QString dataDir = parent.filePath(QStringLiteral("data"));
    // A dir and a file left readable by everyone (umask 022) are tightened.
    const mode_t previous = ::umask(022);
    QVERIFY(QDir().mkpath(dataDir));
    QVERIFY(QFile::setPermissions(dataDir, QFileDevice::Permissions(0x7755)));
    QFile stray(QDir(dataDir).filePath(QStringLiteral("admin-token")));
    QVERIFY(stray.open(QIODevice::WriteOnly));
    stray.write("t\n");
    stray.close();
    QCOMPARE(modeOf(stray.fileName()) & 044, 044);
    {
        SqliteEventLog::OpenResult opened = SqliteEventLog::open(dataDir, 10);
        QVERIFY2(opened.log, qPrintable(opened.error));
        opened.log->append(draft("e", "d"));
        QCOMPARE(modeOf(dataDir), 0700);
        const QStringList files = QDir(dataDir).entryList(QDir::Files | QDir::Hidden);
        QVERIFY2(files.contains(QStringLiteral("history.sqlite-wal")), qPrintable(files.join(u' ')));
        for (const QString &name : files)
            QVERIFY2(modeOf(QDir(dataDir).filePath(name)) == 0600, qPrintable(name));
    }
    ::umask(previous);
}

QTEST_GUILESS_MAIN(tst_SqliteEventLog)
#include "tst_sqliteeventlog.moc"
