#include "userdirectory.h"

#include "passwordhash.h"

#include <algorithm>
#include <limits>

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString alicePassword = QStringLiteral("alice's secret");
const QString bobPassword = QStringLiteral("bob's secret");
// Used as a plain-text password in a bad file: no error message may repeat it.
const QByteArray plainText = QByteArrayLiteral("hunter2");

// Low iteration counts keep the suite fast; one test below uses the default.
const QString &aliceHash()
{
    static const QString hash = PasswordHash::create(alicePassword, 1000);
    return hash;
}

const QString &bobHash()
{
    static const QString hash = PasswordHash::create(bobPassword, 1000);
    return hash;
}

// JSON text with @alice and @bob standing for password hashes, so tables stay readable.
QByteArray withHashes(QByteArray json)
{
    return json.replace("@alice", aliceHash().toLatin1()).replace("@bob", bobHash().toLatin1());
}

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(withHashes(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in test table: %s", json.constData());
    return document.object();
}

const QByteArray example = R"({
    "groups": [{"id": "g1", "name": "Marketing"}, {"id": "g2", "name": "Sales"},
               {"id": "g3", "name": "Ops"}],
    "users": [
        {"id": "u1", "name": "alice", "password": "@alice", "groups": ["g1", "Marketing", "Ops"]},
        {"id": "u2", "name": "bob", "password": "@bob", "groups": ["Sales"]},
        {"id": "u3", "name": "carol", "password": "@bob"}
    ]
})";

UserDirectory exampleDirectory()
{
    QString error;
    std::optional<UserDirectory> directory = UserDirectory::fromJson(object(example), &error);
    if (!directory)
        qFatal("example directory refused: %s", qPrintable(error));
    return std::move(*directory);
}

// False when the file cannot be opened for writing.
bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(content);
    return true;
}

// Checks that the error names each of the mentions.
void verifyMentions(const QString &error, const QStringList &mentions)
{
    for (const QString &mention : mentions) {
        QVERIFY2(error.contains(mention),
                 qPrintable(QStringLiteral("error \"%1\" lacks \"%2\"").arg(error, mention)));
    }
}

} // namespace

class tst_UserDirectory final : public QObject
{
    Q_OBJECT

private slots:
    void groupsResolved_data();
    void groupsResolved();
    void find_data();
    void find();
    void authenticate_data();
    void authenticate();
    void principal();
    void fromJsonErrors_data();
    void fromJsonErrors();
    void load();
    void loadErrors_data();
    void loadErrors();

private:
    QTemporaryDir m_dir;
};

void tst_UserDirectory::groupsResolved_data()
{
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QStringList>("groupIds");
    QTest::addColumn<QStringList>("groupNames");

    QTest::addRow("by id and name, same group once")
        << "u1" << QStringList{"g1", "g3"} << QStringList{"Marketing", "Ops"};
    QTest::addRow("by name") << "u2" << QStringList{"g2"} << QStringList{"Sales"};
    QTest::addRow("no groups") << "u3" << QStringList() << QStringList();
}

void tst_UserDirectory::groupsResolved()
{
    QFETCH(QString, userId);
    QFETCH(QStringList, groupIds);
    QFETCH(QStringList, groupNames);

    const UserDirectory directory = exampleDirectory();
    QCOMPARE(directory.size(), 3);
    const UserDirectory::User *user = directory.findById(userId);
    QVERIFY(user);
    QCOMPARE(user->groupIds, groupIds);
    QCOMPARE(user->groupNames, groupNames);
}

void tst_UserDirectory::find_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("byId");   // id of the user findById gives, or empty
    QTest::addColumn<QString>("byName"); // id of the user findByName gives, or empty

    QTest::addRow("an id") << "u2" << "u2" << QString();
    QTest::addRow("a name") << "bob" << QString() << "u2";
    QTest::addRow("unknown") << "dave" << QString() << QString();
    QTest::addRow("empty") << QString() << QString() << QString();
    QTest::addRow("case differs") << "Bob" << QString() << QString();
}

void tst_UserDirectory::find()
{
    QFETCH(QString, key);
    QFETCH(QString, byId);
    QFETCH(QString, byName);

    const UserDirectory directory = exampleDirectory();
    const UserDirectory::User *user = directory.findById(key);
    QCOMPARE(user ? user->id : QString(), byId);
    user = directory.findByName(key);
    QCOMPARE(user ? user->id : QString(), byName);
}

void tst_UserDirectory::authenticate_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("userId"); // empty: refused

    QTest::addRow("alice") << "alice" << alicePassword << "u1";
    QTest::addRow("bob") << "bob" << bobPassword << "u2";
    QTest::addRow("same hash, other user") << "carol" << bobPassword << "u3";
    QTest::addRow("wrong password") << "alice" << bobPassword << QString();
    QTest::addRow("empty password") << "alice" << QString() << QString();
    QTest::addRow("password of another case") << "alice" << alicePassword.toUpper() << QString();
    QTest::addRow("unknown name") << "dave" << alicePassword << QString();
    QTest::addRow("empty name") << QString() << alicePassword << QString();
    QTest::addRow("id instead of name") << "u1" << alicePassword << QString();
    QTest::addRow("name of another case") << "Alice" << alicePassword << QString();
    QTest::addRow("password hash as password") << "alice" << aliceHash() << QString();
}

void tst_UserDirectory::authenticate()
{
    QFETCH(QString, name);
    QFETCH(QString, password);
    QFETCH(QString, userId);

    const UserDirectory directory = exampleDirectory();
    const UserDirectory::User *user = directory.authenticate(name, password);
    QCOMPARE(user ? user->id : QString(), userId);
    if (user)
        QCOMPARE(user, directory.findById(userId));
}

void tst_UserDirectory::principal()
{
    const UserDirectory directory = exampleDirectory();
    const UserDirectory::User *alice = directory.findByName(QStringLiteral("alice"));
    QVERIFY(alice);
    const Principal principal = directory.principal(*alice, QStringLiteral("s42"));
    QCOMPARE(principal.sessionId, QStringLiteral("s42"));
    QCOMPARE(principal.userId, QStringLiteral("u1"));
    QCOMPARE(principal.userName, QStringLiteral("alice"));
    QCOMPARE(principal.groupIds, (QStringList{"g1", "g3"}));
    QCOMPARE(principal.groupNames, (QStringList{"Marketing", "Ops"}));
}

void tst_UserDirectory::fromJsonErrors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("mentions"); // the error must contain each

    const QByteArray longName = QByteArray(257, 'n');
    QByteArray manyGroups = "[";
    for (int i = 0; i < 257; ++i)
        manyGroups += QByteArray(i ? ",\"g1\"" : "\"g1\"");
    manyGroups += ']';

    QTest::addRow("unknown top-level field")
        << QByteArray(R"({"users": [], "admins": []})") << QStringList{"admins"};
    QTest::addRow("users missing") << QByteArray(R"({"groups": []})") << QStringList{"users"};
    QTest::addRow("users an object") << QByteArray(R"({"users": {}})") << QStringList{"users"};
    QTest::addRow("user not an object") << QByteArray(R"({"users": ["alice"]})")
                                        << QStringList{"users[0]"};
    QTest::addRow("user id missing")
        << QByteArray(R"({"users": [{"name": "alice", "password": "@alice"}]})")
        << QStringList{"users[0]", "id"};
    QTest::addRow("user id an integer")
        << QByteArray(R"({"users": [{"id": 1, "name": "alice", "password": "@alice"}]})")
        << QStringList{"users[0]", "id"};
    QTest::addRow("user id empty")
        << QByteArray(R"({"users": [{"id": "", "name": "alice", "password": "@alice"}]})")
        << QStringList{"users[0]", "id"};
    QTest::addRow("user name missing")
        << QByteArray(R"({"users": [{"id": "u1", "password": "@alice"}]})")
        << QStringList{"users[0] (u1)", "name"};
    QTest::addRow("user name too long")
        << QByteArray(R"({"users": [{"id": "u1", "password": "@alice", "name": ")" + longName
                      + "\"}]}")
        << QStringList{"users[0] (u1)", "name", "256"};
    QTest::addRow("duplicate user id")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": "@alice"},
                                    {"id": "u1", "name": "bob", "password": "@bob"}]})")
        << QStringList{"users[1] (u1)", "duplicate id"};
    QTest::addRow("duplicate user name")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": "@alice"},
                                    {"id": "u2", "name": "alice", "password": "@bob"}]})")
        << QStringList{"users[1] (u2)", "duplicate name", "alice"};
    QTest::addRow("user id is another user's name")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": "@alice"},
                                    {"id": "alice", "name": "bob", "password": "@bob"}]})")
        << QStringList{"users[1] (alice)", "name"};
    QTest::addRow("user name is another user's id")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": "@alice"},
                                    {"id": "u2", "name": "u1", "password": "@bob"}]})")
        << QStringList{"users[1] (u2)", "id"};
    QTest::addRow("unknown user field")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "pasword": "@alice"}]})")
        << QStringList{"users[0] (u1)", "pasword"};
    QTest::addRow("password missing")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice"}]})")
        << QStringList{"users[0] (u1)", "password"};
    QTest::addRow("plain-text password")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": ")" + plainText
                      + "\"}]}")
        << QStringList{"users[0] (u1)", "password", "plain text"};
    QTest::addRow("password an integer")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": 1234}]})")
        << QStringList{"users[0] (u1)", "password"};
    QTest::addRow("malformed password hash")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice",
                                     "password": "pbkdf2-sha256$1000$)" + plainText + "\"}]}")
        << QStringList{"users[0] (u1)", "password", "well-formed"};
    QTest::addRow("password hash of too few rounds")
        << QByteArray(R"({"users": [{"id": "u1", "name": "alice", "password": ")"
                      + aliceHash().toLatin1().replace("$1000$", "$999$") + "\"}]}")
        << QStringList{"users[0] (u1)", "password", "well-formed"};
    QTest::addRow("user groups a string")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}], "users": [
                          {"id": "u1", "name": "alice", "password": "@alice", "groups": "g1"}]})")
        << QStringList{"users[0] (u1)", "groups"};
    QTest::addRow("user group an integer")
        << QByteArray(R"({"groups": [{"id": "1", "name": "Ops"}], "users": [
                          {"id": "u1", "name": "alice", "password": "@alice", "groups": [1]}]})")
        << QStringList{"users[0] (u1)", "groups"};
    QTest::addRow("unknown group")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}], "users": [
                          {"id": "u1", "name": "alice", "password": "@alice",
                           "groups": ["g1", "Sales"]}]})")
        << QStringList{"users[0] (u1)", "unknown group", "Sales"};
    QTest::addRow("group reference in another case")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}], "users": [
                          {"id": "u1", "name": "alice", "password": "@alice",
                           "groups": ["ops"]}]})")
        << QStringList{"users[0] (u1)", "unknown group", "ops"};
    QTest::addRow("257 group references")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}], "users": [
                          {"id": "u1", "name": "alice", "password": "@alice", "groups": )"
                      + manyGroups + "}]}")
        << QStringList{"users[0] (u1)", "groups", "256"};
    QTest::addRow("groups an object") << QByteArray(R"({"groups": {}, "users": []})")
                                      << QStringList{"groups"};
    QTest::addRow("group not an object") << QByteArray(R"({"groups": ["Ops"], "users": []})")
                                         << QStringList{"groups[0]"};
    QTest::addRow("group id missing")
        << QByteArray(R"({"groups": [{"name": "Ops"}], "users": []})")
        << QStringList{"groups[0]", "id"};
    QTest::addRow("group name missing")
        << QByteArray(R"({"groups": [{"id": "g1"}], "users": []})")
        << QStringList{"groups[0] (g1)", "name"};
    QTest::addRow("unknown group field")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops", "members": []}], "users": []})")
        << QStringList{"groups[0] (g1)", "members"};
    QTest::addRow("duplicate group id")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}, {"id": "g1", "name": "Dev"}],
                          "users": []})")
        << QStringList{"groups[1] (g1)", "duplicate id"};
    QTest::addRow("duplicate group name")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}, {"id": "g2", "name": "Ops"}],
                          "users": []})")
        << QStringList{"groups[1] (g2)", "duplicate name", "Ops"};
    QTest::addRow("group id is another group's name")
        << QByteArray(R"({"groups": [{"id": "g1", "name": "Ops"}, {"id": "Ops", "name": "Dev"}],
                          "users": []})")
        << QStringList{"groups[1] (Ops)", "name"};
}

void tst_UserDirectory::fromJsonErrors()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, mentions);

    QString error;
    const std::optional<UserDirectory> directory = UserDirectory::fromJson(object(json), &error);
    QVERIFY2(!directory.has_value(), "a bad directory was accepted");
    verifyMentions(error, mentions);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(!error.contains(QString::fromLatin1(plainText)), qPrintable(error));
}

void tst_UserDirectory::load()
{
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("users.json"));
    QVERIFY(writeFile(path, withHashes(example)));

    QString error;
    const std::optional<UserDirectory> directory = UserDirectory::load(path, &error);
    QVERIFY2(directory, qPrintable(error));
    QCOMPARE(directory->size(), 3);
    const UserDirectory::User *alice = directory->authenticate(QStringLiteral("alice"),
                                                               alicePassword);
    QVERIFY(alice);
    QCOMPARE(alice->passwordHash, aliceHash());
}

void tst_UserDirectory::loadErrors_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content"); // not written when fileName is "missing.json"
    QTest::addColumn<QStringList>("mentions");

    QTest::addRow("missing file") << "missing.json" << QByteArray()
                                  << QStringList{"missing.json", "cannot read"};
    QTest::addRow("empty file") << "empty.json" << QByteArray()
                                << QStringList{"empty.json", "not valid JSON"};
    QTest::addRow("bad JSON") << "bad.json" << QByteArray(R"({"users": [}")")
                              << QStringList{"bad.json", "not valid JSON"};
    QTest::addRow("top-level array") << "array.json" << QByteArray("[]")
                                     << QStringList{"array.json", "object"};
    QTest::addRow("bad user") << "user.json"
                              << QByteArray(R"({"users": [{"id": "u1", "name": "alice"}]})")
                              << QStringList{"user.json", "users[0] (u1)", "password"};
}

void tst_UserDirectory::loadErrors()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QFETCH(QStringList, mentions);

    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(fileName);
    if (fileName != QLatin1String("missing.json"))
        QVERIFY(writeFile(path, content));
    QString error;
    QVERIFY(!UserDirectory::load(path, &error).has_value());
    verifyMentions(error, mentions);
}

QTEST_GUILESS_MAIN(tst_UserDirectory)
#include "tst_userdirectory.moc"
