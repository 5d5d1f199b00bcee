#include "sessionstore.h"

#include <QSet>
#include <QTest>

using namespace Qt::StringLiterals;

// Only ids this store issued are held; logins and anonymous sessions are bounded apart.
class tst_SessionStore final : public QObject
{
    Q_OBJECT

private slots:
    void newIdsAreWellFormedAndDistinct();
    void wellFormedId_data();
    void wellFormedId();
    void createLogin();
    void createAnonymous();
    void neverIssuedIsNotHeld_data();
    void neverIssuedIsNotHeld();
    void removedIsNotHeld();
    void anonymousFloodKeepsLogins();
    void loginsBoundedOldestFirst();
    void removedSessionsFreeTheirPlace();
    void expiredIsNotHeld_data();
    void expiredIsNotHeld();
    void clusterAnonymousIdsAreSigned();
    void clusterLoginsAdoptedAndEndedEverywhere();
    void loginsBeforeJoiningAreTold();
};

void tst_SessionStore::newIdsAreWellFormedAndDistinct()
{
    QSet<QString> seen;
    for (int i = 0; i < 1000; ++i) {
        const QString id = SessionStore::newId();
        QVERIFY2(SessionStore::isWellFormedId(id), qPrintable(id));
        QVERIFY2(!seen.contains(id), qPrintable(id));
        seen.insert(id);
    }
}

void tst_SessionStore::wellFormedId_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("wellFormed");

    QTest::addRow("22 base64url characters") << u"AAAAAAAAAAAAAAAAAAAAAA"_s << true;
    QTest::addRow("with - and _") << u"abc-def_ghiJKLMNOP0123"_s << true;
    QTest::addRow("21 characters") << u"AAAAAAAAAAAAAAAAAAAAA"_s << false;
    QTest::addRow("23 characters") << u"AAAAAAAAAAAAAAAAAAAAAAA"_s << false;
    QTest::addRow("32 characters (signed, in a cluster)") << u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s << true;
    QTest::addRow("31 characters") << u"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"_s << false;
    QTest::addRow("standard base64 +") << u"AAAAAAAAAAAAAAAAAAAAA+"_s << false;
    QTest::addRow("standard base64 /") << u"AAAAAAAAAAAAAAAAAAAAA/"_s << false;
    QTest::addRow("padding") << u"AAAAAAAAAAAAAAAAAAAA=="_s << false;
    QTest::addRow("empty") << QString() << false;
}

void tst_SessionStore::wellFormedId()
{
    QFETCH(QString, id);
    QFETCH(bool, wellFormed);
    QCOMPARE(SessionStore::isWellFormedId(id), wellFormed);
}

void tst_SessionStore::createLogin()
{
    SessionStore store;
    const QString id = store.create(u"u1"_s);
    QVERIFY(SessionStore::isWellFormedId(id));
    QVERIFY(store.holds(id));
    QCOMPARE(store.userOf(id), std::optional<QString>(u"u1"_s));
    QCOMPARE(store.size(), 1);
    // Two logins of one user are two sessions.
    const QString again = store.create(u"u1"_s);
    QVERIFY(again != id);
    QVERIFY(store.holds(id));
    QVERIFY(store.holds(again));
    QCOMPARE(store.size(), 2);
}

void tst_SessionStore::createAnonymous()
{
    SessionStore store;
    const QString id = store.createAnonymous();
    QVERIFY(SessionStore::isWellFormedId(id));
    QVERIFY(store.holds(id));
    QCOMPARE(store.userOf(id), std::nullopt);
    QCOMPARE(store.size(), 1);
}

void tst_SessionStore::neverIssuedIsNotHeld_data()
{
    QTest::addColumn<QString>("id");

    QTest::addRow("well-formed, fresh") << SessionStore::newId();
    QTest::addRow("well-formed, chosen by a client") << u"AAAAAAAAAAAAAAAAAAAAAA"_s;
    QTest::addRow("malformed") << u"not a session id"_s;
    QTest::addRow("empty") << QString();
}

void tst_SessionStore::neverIssuedIsNotHeld()
{
    QFETCH(QString, id);

    SessionStore store;
    store.create(u"u1"_s);
    store.createAnonymous();
    QVERIFY(!store.holds(id));
    QCOMPARE(store.userOf(id), std::nullopt);
    QVERIFY(!store.remove(id));
    QCOMPARE(store.size(), 2);
}

void tst_SessionStore::removedIsNotHeld()
{
    SessionStore store;
    const QString login = store.create(u"u1"_s);
    const QString anonymous = store.createAnonymous();
    const QString other = store.create(u"u2"_s);

    QVERIFY(store.remove(login));
    QVERIFY(!store.holds(login));
    QCOMPARE(store.userOf(login), std::nullopt);
    QVERIFY(!store.remove(login));
    QVERIFY(store.remove(anonymous));
    QVERIFY(!store.holds(anonymous));
    // The others are untouched.
    QVERIFY(store.holds(other));
    QCOMPARE(store.userOf(other), std::optional<QString>(u"u2"_s));
    QCOMPARE(store.size(), 1);
}

void tst_SessionStore::anonymousFloodKeepsLogins()
{
    SessionStore store(/*maxSessions*/ 2, /*lifetimeSeconds*/ 3600, /*maxAnonymous*/ 3);
    const QString alice = store.create(u"alice"_s);
    const QString bob = store.create(u"bob"_s);
    QStringList anonymous;
    for (int i = 0; i < 1000; ++i) {
        anonymous.append(store.createAnonymous());
        QVERIFY(store.size() <= 5);
    }
    QVERIFY(store.holds(alice));
    QVERIFY(store.holds(bob));
    QCOMPARE(store.userOf(alice), std::optional<QString>(u"alice"_s));
    QCOMPARE(store.size(), 5);
    // Of the anonymous ones, the newest three are left.
    for (qsizetype i = 0; i < anonymous.size(); ++i)
        QCOMPARE(store.holds(anonymous[i]), i >= anonymous.size() - 3);
}

void tst_SessionStore::loginsBoundedOldestFirst()
{
    SessionStore store(/*maxSessions*/ 2, /*lifetimeSeconds*/ 3600, /*maxAnonymous*/ 3);
    const QString anonymous = store.createAnonymous();
    const QString first = store.create(u"u1"_s);
    const QString second = store.create(u"u2"_s);
    const QString third = store.create(u"u3"_s);
    QVERIFY(!store.holds(first));
    QVERIFY(store.holds(second));
    QVERIFY(store.holds(third));
    // Logins never push out anonymous sessions either.
    for (int i = 0; i < 100; ++i)
        store.create(u"u%1"_s.arg(i));
    QVERIFY(store.holds(anonymous));
    QCOMPARE(store.size(), 3);
}

void tst_SessionStore::removedSessionsFreeTheirPlace()
{
    SessionStore store(/*maxSessions*/ 2, /*lifetimeSeconds*/ 3600, /*maxAnonymous*/ 2);
    const QString a = store.create(u"a"_s);
    const QString b = store.create(u"b"_s);
    QVERIFY(store.remove(a));
    // One place is free: the new login evicts nobody.
    const QString c = store.create(u"c"_s);
    QVERIFY(store.holds(b));
    QVERIFY(store.holds(c));
    // Logins and logouts in turn: the bound holds, and the two kept last are both held.
    QStringList kept;
    for (int i = 0; i < 500; ++i) {
        const QString id = store.create(u"user%1"_s.arg(i));
        if (i % 2 == 0)
            QVERIFY(store.remove(id));
        else
            kept.append(id);
        QVERIFY(store.size() <= 2);
    }
    QVERIFY(store.holds(kept.last()));
    QVERIFY(store.holds(kept[kept.size() - 2]));
    const QString x = store.createAnonymous();
    const QString y = store.createAnonymous();
    QVERIFY(store.remove(x));
    const QString z = store.createAnonymous();
    QVERIFY(store.holds(y));
    QVERIFY(store.holds(z));
}

void tst_SessionStore::expiredIsNotHeld_data()
{
    QTest::addColumn<qint64>("lifetimeSeconds");
    QTest::addRow("lifetime 0") << qint64(0);
    QTest::addRow("lifetime -1") << qint64(-1);
    QTest::addRow("lifetime -1 day") << qint64(-24 * 3600);
}

void tst_SessionStore::expiredIsNotHeld()
{
    QFETCH(qint64, lifetimeSeconds);

    SessionStore store(100, lifetimeSeconds, 100);
    const QString login = store.create(u"u1"_s);
    const QString anonymous = store.createAnonymous();
    QVERIFY(SessionStore::isWellFormedId(login));
    QVERIFY(!store.holds(login));
    QCOMPARE(store.userOf(login), std::nullopt);
    QVERIFY(!store.holds(anonymous));

    // The same ids with a lifetime are held: what failed above is the age.
    SessionStore lasting(100, 3600, 100);
    QVERIFY(lasting.holds(lasting.create(u"u1"_s)));
}

namespace {

// Two nodes of a cluster, wired as the bus would: what one tells, the other adopts.
struct Cluster
{
    SessionStore a;
    SessionStore b;
    QList<QByteArray> removed;

    explicit Cluster(const QByteArray &key = "k3y-0123456789abcdef0123456789ab")
    {
        for (auto [self, other] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
            SessionStore::Replica replica;
            replica.key = key;
            replica.added = [other](const QByteArray &digest, const QString &user, const QDateTime &expires) {
                other->adopt(digest, user, expires);
            };
            replica.removed = [this, other](const QByteArray &digest) {
                removed.append(digest);
                other->forget(digest);
            };
            self->setReplica(replica);
        }
    }
};

} // namespace

// Anonymous ids of a cluster carry the shared key's signature: every node holds them without
// storing them; another key, or a changed byte, and they are nobody's.
void tst_SessionStore::clusterAnonymousIdsAreSigned()
{
    Cluster cluster;
    const QString id = cluster.a.createAnonymous();
    QCOMPARE(id.size(), 32);
    QVERIFY(SessionStore::isWellFormedId(id));
    QVERIFY(cluster.a.holds(id));
    QVERIFY(cluster.b.holds(id));
    QVERIFY(!cluster.b.userOf(id));
    QString tampered = id;
    tampered[3] = tampered[3] == u'A' ? u'B' : u'A';
    QVERIFY(!cluster.b.holds(tampered));
    Cluster other("another-key-0123456789abcdef0123");
    QVERIFY(!other.a.holds(id));
    SessionStore standalone;
    QVERIFY(!standalone.holds(id));
}

// A login on one node holds on the other; a logout on either ends it on both, and only its
// digest ever leaves the node.
void tst_SessionStore::clusterLoginsAdoptedAndEndedEverywhere()
{
    Cluster cluster;
    const QString alice = cluster.a.create(u"u1"_s);
    QCOMPARE(cluster.b.userOf(alice), std::optional<QString>(u"u1"_s));
    QVERIFY(cluster.b.remove(alice)); // logged out on the node that did not issue it
    QCOMPARE(cluster.removed, QList<QByteArray>{cluster.a.digest(alice)});
    QVERIFY(!cluster.removed.first().contains(alice.toLatin1()));
    QVERIFY(!cluster.a.holds(alice));
    QVERIFY(!cluster.b.holds(alice));

    const QString bob = cluster.b.create(u"u2"_s);
    QVERIFY(cluster.a.holds(bob));
    QVERIFY(cluster.b.remove(bob)); // on the node that issued it
    QVERIFY(!cluster.a.holds(bob));
    // An expired adoption is not taken.
    cluster.a.adopt(cluster.a.digest(u"x"_s), u"u3"_s, QDateTime::currentDateTimeUtc().addSecs(-1));
    QVERIFY(!cluster.a.holds(u"x"_s));
}

// A login made while the cluster could not be reached is told when the node joins.
void tst_SessionStore::loginsBeforeJoiningAreTold()
{
    SessionStore early;
    const QString alice = early.create(u"u1"_s);
    early.createAnonymous();
    SessionStore other;
    QList<QString> told;
    SessionStore::Replica replica;
    replica.key = "k3y-0123456789abcdef0123456789ab";
    replica.added = [&](const QByteArray &digest, const QString &user, const QDateTime &expires) {
        told.append(user);
        other.adopt(digest, user, expires);
    };
    other.setReplica(SessionStore::Replica{replica.key, {}, {}});
    early.setReplica(replica);
    QCOMPARE(told, QList<QString>{u"u1"_s}); // the login, not the anonymous session
    QCOMPARE(other.userOf(alice), std::optional<QString>(u"u1"_s));
}

QTEST_APPLESS_MAIN(tst_SessionStore)
#include "tst_sessionstore.moc"
