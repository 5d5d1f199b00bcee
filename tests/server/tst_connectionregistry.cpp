#include "connectionregistry.h"

#include <algorithm>
#include <map>
#include <memory>

#include <QHttpServerResponder>
#include <QHttpServerRequest>
#include <QTcpSocket>
#include <QTest>

#include "httplistener.h"
#include "sseconnection.h"
#include "streamsocket.h"

namespace {

using Ids = QList<quint64>;

// The streams every test starts from. Ids are fixed so table rows can name them.
//  1 anonymous, unfiltered              5 bob (u2), groups g1/ops + g2/dev, filter alerts
//  2 anonymous, filter news             6 carol (u3), group g2/dev, unfiltered
//  3 anonymous, filter news,sports      7 alice again (second tab), filter news
//  4 alice (u1), group g1/ops, unfiltered
QList<SseConnection::Info> population()
{
    const auto info = [](quint64 id, const QString &userId, const QString &userName,
                         const QStringList &groupIds, const QStringList &groupNames,
                         const QByteArrayList &filter) {
        SseConnection::Info out;
        out.id = id;
        out.principal.sessionId = QStringLiteral("s%1").arg(id);
        out.principal.userId = userId;
        out.principal.userName = userName;
        out.principal.groupIds = groupIds;
        out.principal.groupNames = groupNames;
        out.filter = filter;
        return out;
    };
    const QString none;
    const QStringList noGroups;
    return {
        info(1, none, none, noGroups, noGroups, {}),
        info(2, none, none, noGroups, noGroups, {"news"}),
        info(3, none, none, noGroups, noGroups, {"news", "sports"}),
        info(4, QStringLiteral("u1"), QStringLiteral("alice"), {QStringLiteral("g1")},
             {QStringLiteral("ops")}, {}),
        info(5, QStringLiteral("u2"), QStringLiteral("bob"), {QStringLiteral("g1"), QStringLiteral("g2")},
             {QStringLiteral("ops"), QStringLiteral("dev")}, {"alerts"}),
        info(6, QStringLiteral("u3"), QStringLiteral("carol"), {QStringLiteral("g2")},
             {QStringLiteral("dev")}, {}),
        info(7, QStringLiteral("u1"), QStringLiteral("alice"), {QStringLiteral("g1")},
             {QStringLiteral("ops")}, {"news"}),
    };
}

// Sorted, duplicates kept: a stream listed twice shows up twice.
Ids idsOf(const QList<SseConnection *> &connections)
{
    Ids ids;
    for (const SseConnection *connection : connections)
        ids.append(connection->info().id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

Event makeEvent(const QByteArray &name, const QStringList &sessions, const QStringList &users,
            const QStringList &groups)
{
    Event out;
    out.name = name;
    out.data = "x";
    out.target.sessions = sessions;
    out.target.users = users;
    out.target.groups = groups;
    return out;
}

// The event the current row describes, in the columns of addRecipientColumns().
Event rowEvent()
{
    QFETCH(QByteArray, name);
    QFETCH(QStringList, sessions);
    QFETCH(QStringList, users);
    QFETCH(QStringList, groups);
    return makeEvent(name, sessions, users, groups);
}

} // namespace

// SseConnection needs a QHttpServerResponder, which only QAbstractHttpServer can make, for a
// request that arrived on a real socket. So the test runs the server's own HttpListener on
// loopback, opens one client socket per stream and keeps each responder it is handed.
class tst_ConnectionRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void addFindRemove();
    void recipients_data();
    void recipients();
    void removeCleansIndices_data();
    void removeCleansIndices();
    void removeUnknownIsHarmless();
    void readdAfterRemove();

private:
    void addRecipientColumns();
    // Opens streams over loopback; empty when the server did not see every request.
    QList<SseConnection *> openStreams(const QList<SseConnection::Info> &infos);
    bool openPopulation();

    HttpListener *m_listener = nullptr;
    quint16 m_port = 0;
    std::map<quint64, QHttpServerResponder> m_responders; // by stream id, from the path
    std::unique_ptr<QObject> m_owner; // parent of this test's sockets and streams
    QHash<quint64, SseConnection *> m_streams;
    std::unique_ptr<ConnectionRegistry> m_registry;
};

void tst_ConnectionRegistry::initTestCase()
{
    m_listener = new HttpListener(
        [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            const quint64 id = request.url().path().section(u'/', -1).toULongLong();
            m_responders.emplace(id, std::move(responder));
        },
        this);
    m_port = m_listener->listen(QHostAddress::LocalHost, 0);
    QVERIFY(m_port != 0);
}

void tst_ConnectionRegistry::init()
{
    m_owner = std::make_unique<QObject>();
    m_registry = std::make_unique<ConnectionRegistry>();
    m_streams.clear();
}

void tst_ConnectionRegistry::cleanup()
{
    m_registry.reset();
    m_streams.clear();
    m_owner.reset();
    m_responders.clear();
}

QList<SseConnection *> tst_ConnectionRegistry::openStreams(const QList<SseConnection::Info> &infos)
{
    // All requests go out at once; the path names the stream, so arrival order is irrelevant.
    for (const SseConnection::Info &info : infos) {
        auto *socket = new QTcpSocket(m_owner.get());
        socket->connectToHost(QHostAddress::LocalHost, m_port);
        socket->write("GET /stream/" + QByteArray::number(info.id)
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }
    const auto arrived = [&] {
        for (const SseConnection::Info &info : infos) {
            if (m_responders.find(info.id) == m_responders.end())
                return false;
        }
        return true;
    };
    if (!QTest::qWaitFor(arrived))
        return {};
    QList<SseConnection *> out;
    for (const SseConnection::Info &info : infos) {
        auto node = m_responders.extract(info.id);
        const int descriptor = StreamSocket::takeOver(node.mapped().socket());
        if (descriptor < 0)
            return {};
        out.append(new SseConnection(info, std::make_unique<StreamSocket>(descriptor), 1 << 20, m_owner.get()));
    }
    return out;
}

bool tst_ConnectionRegistry::openPopulation()
{
    const QList<SseConnection *> streams = openStreams(population());
    for (SseConnection *connection : streams) {
        m_streams.insert(connection->info().id, connection);
        m_registry->add(connection);
    }
    return !streams.isEmpty();
}

void tst_ConnectionRegistry::addFindRemove()
{
    QVERIFY(openPopulation());
    QCOMPARE(m_registry->size(), 7);
    for (auto it = m_streams.cbegin(); it != m_streams.cend(); ++it)
        QCOMPARE(m_registry->find(it.key()), it.value());
    QCOMPARE(m_registry->find(99), nullptr);
    QCOMPARE(idsOf(m_registry->all()), (Ids{1, 2, 3, 4, 5, 6, 7}));

    m_registry->remove(m_streams.value(4));
    QCOMPARE(m_registry->size(), 6);
    QCOMPARE(m_registry->find(4), nullptr);
    QCOMPARE(idsOf(m_registry->all()), (Ids{1, 2, 3, 5, 6, 7}));
}

void tst_ConnectionRegistry::addRecipientColumns()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QStringList>("sessions");
    QTest::addColumn<QStringList>("users");
    QTest::addColumn<QStringList>("groups");
    QTest::addColumn<Ids>("expected");
}

void tst_ConnectionRegistry::recipients_data()
{
    addRecipientColumns();
    const QStringList all;
    const QByteArray unnamed;

    QTest::addRow("broadcast unnamed: unfiltered only") << unnamed << all << all << all << Ids{1, 4, 6};
    QTest::addRow("broadcast news: unfiltered + news filters")
        << QByteArray("news") << all << all << all << Ids{1, 2, 3, 4, 6, 7};
    QTest::addRow("broadcast sports: second name of a filter")
        << QByteArray("sports") << all << all << all << Ids{1, 3, 4, 6};
    QTest::addRow("broadcast alerts") << QByteArray("alerts") << all << all << all << Ids{1, 4, 5, 6};
    QTest::addRow("broadcast name nobody filters on")
        << QByteArray("weather") << all << all << all << Ids{1, 4, 6};
    QTest::addRow("broadcast name is case-sensitive")
        << QByteArray("News") << all << all << all << Ids{1, 4, 6};

    QTest::addRow("session, unfiltered stream") << unnamed << QStringList{"s1"} << all << all << Ids{1};
    QTest::addRow("session, filtered stream, unnamed event")
        << unnamed << QStringList{"s2"} << all << all << Ids{};
    QTest::addRow("session, filtered stream, matching name")
        << QByteArray("news") << QStringList{"s2"} << all << all << Ids{2};
    QTest::addRow("session, filtered stream, other name")
        << QByteArray("alerts") << QStringList{"s2"} << all << all << Ids{};
    QTest::addRow("two sessions") << unnamed << QStringList{"s1", "s6"} << all << all << Ids{1, 6};
    QTest::addRow("unknown session") << unnamed << QStringList{"s99"} << all << all << Ids{};
    QTest::addRow("same session twice") << unnamed << QStringList{"s1", "s1"} << all << all << Ids{1};

    QTest::addRow("user by id, unnamed: filtered tab skipped")
        << unnamed << all << QStringList{"u1"} << all << Ids{4};
    QTest::addRow("user by id, named: both tabs") << QByteArray("news") << all << QStringList{"u1"} << all
                                                  << Ids{4, 7};
    QTest::addRow("user by name") << QByteArray("news") << all << QStringList{"alice"} << all << Ids{4, 7};
    QTest::addRow("user by id and name, each once")
        << QByteArray("news") << all << QStringList{"u1", "alice"} << all << Ids{4, 7};
    QTest::addRow("user, name outside the filter") << QByteArray("news") << all << QStringList{"bob"} << all
                                                   << Ids{};
    QTest::addRow("user, name inside the filter") << QByteArray("alerts") << all << QStringList{"bob"} << all
                                                  << Ids{5};
    QTest::addRow("two users") << unnamed << all << QStringList{"alice", "u3"} << all << Ids{4, 6};
    QTest::addRow("unknown user") << unnamed << all << QStringList{"mallory"} << all << Ids{};
    QTest::addRow("a group name is not a user") << unnamed << all << QStringList{"ops"} << all << Ids{};
    QTest::addRow("a session is not a user") << unnamed << all << QStringList{"s1"} << all << Ids{};

    QTest::addRow("group by id, unnamed") << unnamed << all << all << QStringList{"g1"} << Ids{4};
    QTest::addRow("group by id, named") << QByteArray("alerts") << all << all << QStringList{"g1"}
                                        << Ids{4, 5};
    QTest::addRow("group by name, unnamed") << unnamed << all << all << QStringList{"dev"} << Ids{6};
    QTest::addRow("group by name, named") << QByteArray("alerts") << all << all << QStringList{"dev"}
                                          << Ids{5, 6};
    QTest::addRow("group by id and name, each once")
        << QByteArray("alerts") << all << all << QStringList{"g2", "dev"} << Ids{5, 6};
    QTest::addRow("two groups, member of both once")
        << QByteArray("alerts") << all << all << QStringList{"g1", "g2"} << Ids{4, 5, 6};
    QTest::addRow("a user name is not a group") << unnamed << all << all << QStringList{"alice"} << Ids{};

    QTest::addRow("union: session, user and group of one stream, once")
        << unnamed << QStringList{"s4"} << QStringList{"alice"} << QStringList{"ops"} << Ids{4};
    QTest::addRow("union: overlapping dimensions, named")
        << QByteArray("alerts") << QStringList{"s5"} << QStringList{"bob"} << QStringList{"g2"} << Ids{5, 6};
    QTest::addRow("union across dimensions")
        << unnamed << QStringList{"s1"} << QStringList{"carol"} << QStringList{"g1"} << Ids{1, 4, 6};
    QTest::addRow("union, named event respects filters")
        << QByteArray("news") << QStringList{"s1", "s2", "s5"} << QStringList{"u1"} << QStringList{"dev"}
        << Ids{1, 2, 4, 6, 7};
}

void tst_ConnectionRegistry::recipients()
{
    QFETCH(Ids, expected);

    QVERIFY(openPopulation());
    const Event e = rowEvent();
    QCOMPARE(idsOf(m_registry->recipients(e)), expected);

    // The indices agree with the per-stream rule the registry stands in for.
    QList<SseConnection *> accepting;
    for (SseConnection *connection : m_registry->all()) {
        if (connection->accepts(e))
            accepting.append(connection);
    }
    QCOMPARE(idsOf(accepting), expected);
}

void tst_ConnectionRegistry::removeCleansIndices_data()
{
    QTest::addColumn<Ids>("removed");
    addRecipientColumns();
    const QStringList all;
    const QByteArray unnamed;

    QTest::addRow("unfiltered stream leaves the broadcast")
        << Ids{1} << unnamed << all << all << all << Ids{4, 6};
    QTest::addRow("filtered stream leaves its name")
        << Ids{2} << QByteArray("news") << all << all << all << Ids{1, 3, 4, 6, 7};
    QTest::addRow("every news filter gone")
        << Ids{2, 3, 7} << QByteArray("news") << all << all << all << Ids{1, 4, 6};
    QTest::addRow("session index") << Ids{1} << unnamed << QStringList{"s1"} << all << all << Ids{};
    QTest::addRow("user id index, other tab stays")
        << Ids{4} << QByteArray("news") << all << QStringList{"u1"} << all << Ids{7};
    QTest::addRow("user name index, other tab stays")
        << Ids{7} << QByteArray("news") << all << QStringList{"alice"} << all << Ids{4};
    QTest::addRow("user fully gone") << Ids{4, 7} << QByteArray("news") << all
                                     << QStringList{"u1", "alice"} << all << Ids{};
    QTest::addRow("group id index") << Ids{5} << QByteArray("alerts") << all << all
                                    << QStringList{"g1"} << Ids{4};
    QTest::addRow("group name index") << Ids{6} << QByteArray("alerts") << all << all
                                      << QStringList{"dev"} << Ids{5};
    QTest::addRow("union after removal")
        << Ids{4, 5} << QByteArray("alerts") << QStringList{"s4", "s5"} << QStringList{"bob", "alice"}
        << QStringList{"ops", "g2"} << Ids{6};
    QTest::addRow("everything removed") << Ids{1, 2, 3, 4, 5, 6, 7} << QByteArray("news") << all << all
                                        << all << Ids{};
}

void tst_ConnectionRegistry::removeCleansIndices()
{
    QFETCH(Ids, removed);
    QFETCH(Ids, expected);

    QVERIFY(openPopulation());
    for (const quint64 id : std::as_const(removed))
        m_registry->remove(m_streams.value(id));
    QCOMPARE(m_registry->size(), 7 - removed.size());
    for (const quint64 id : std::as_const(removed))
        QCOMPARE(m_registry->find(id), nullptr);
    QCOMPARE(idsOf(m_registry->recipients(rowEvent())), expected);
}

void tst_ConnectionRegistry::removeUnknownIsHarmless()
{
    QVERIFY(openPopulation());
    SseConnection::Info stranger = population().at(3); // same keys as stream 4, another id
    stranger.id = 40;
    const QList<SseConnection *> opened = openStreams({stranger});
    QCOMPARE(opened.size(), 1);
    SseConnection *unregistered = opened.first();

    m_registry->remove(unregistered);
    m_registry->remove(m_streams.value(1));
    m_registry->remove(m_streams.value(1)); // twice
    QCOMPARE(m_registry->size(), 6);
    QCOMPARE(idsOf(m_registry->recipients(makeEvent({}, {}, {QStringLiteral("alice")}, {}))), Ids{4});
    QCOMPARE(idsOf(m_registry->recipients(makeEvent({}, {}, {}, {}))), (Ids{4, 6}));
}

void tst_ConnectionRegistry::readdAfterRemove()
{
    QVERIFY(openPopulation());
    SseConnection *bob = m_streams.value(5);
    m_registry->remove(bob);
    QCOMPARE(idsOf(m_registry->recipients(makeEvent("alerts", {}, {QStringLiteral("bob")}, {}))), Ids{});
    m_registry->add(bob);
    QCOMPARE(m_registry->size(), 7);
    QCOMPARE(m_registry->find(5), bob);
    QCOMPARE(idsOf(m_registry->recipients(makeEvent("alerts", {}, {QStringLiteral("bob")}, {}))), Ids{5});
    QCOMPARE(idsOf(m_registry->recipients(makeEvent("alerts", {}, {}, {}))), (Ids{1, 4, 5, 6}));
}

QTEST_GUILESS_MAIN(tst_ConnectionRegistry)
#include "tst_connectionregistry.moc"
