#include "userdirectory.h"

#include "passwordhash.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

namespace {

constexpr qsizetype maxTextLength = 256;
constexpr qsizetype maxGroupsPerUser = 256;

// Reads a required non-empty string field. Returns an error message or an empty string.
QString readText(const QJsonObject &object, const QString &where, const QString &key,
                 QString *out)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined() || value.isNull())
        return QStringLiteral("%1: %2 is missing").arg(where, key);
    if (!value.isString())
        return QStringLiteral("%1: %2 must be a string").arg(where, key);
    *out = value.toString();
    if (out->isEmpty())
        return QStringLiteral("%1: %2 must not be empty").arg(where, key);
    if (out->size() > maxTextLength)
        return QStringLiteral("%1: %2 must be at most %3 characters")
            .arg(where, key)
            .arg(maxTextLength);
    return {};
}

// Refuses fields we do not know, so a typo ("pasword", "group") is an error rather than a
// user silently without a password or groups.
QString checkKeys(const QJsonObject &object, const QString &where, const QStringList &known)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return QStringLiteral("%1: unknown field %2").arg(where, it.key());
    }
    return {};
}

// Ids and names share one namespace per kind, since targets match either: an id equal to
// another entry's name would make "push to X" reach two entries. Returns an error or empty.
// The entry being checked is not in ids or names yet, so its id may equal its own name.
QString checkUnique(const QHash<QString, qsizetype> &ids, const QHash<QString, qsizetype> &names,
                    const QString &where, const QString &id, const QString &name)
{
    if (ids.contains(id))
        return QStringLiteral("%1: duplicate id \"%2\"").arg(where, id);
    if (names.contains(name))
        return QStringLiteral("%1: duplicate name \"%2\"").arg(where, name);
    if (names.contains(id))
        return QStringLiteral("%1: id \"%2\" is another entry's name").arg(where, id);
    if (ids.contains(name))
        return QStringLiteral("%1: name \"%2\" is another entry's id").arg(where, name);
    return {};
}

struct Group
{
    QString id;
    QString name;
};

QString readGroups(const QJsonValue &value, QList<Group> *groups,
                   QHash<QString, qsizetype> *byId, QHash<QString, qsizetype> *byName)
{
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray())
        return QStringLiteral("groups must be an array");
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        QString where = QStringLiteral("groups[%1]").arg(i);
        if (!array.at(i).isObject())
            return QStringLiteral("%1 must be an object").arg(where);
        const QJsonObject object = array.at(i).toObject();
        Group group;
        if (QString message = readText(object, where, QStringLiteral("id"), &group.id);
            !message.isEmpty())
            return message;
        where += QStringLiteral(" (%1)").arg(group.id);
        QString message = checkKeys(object, where, {QStringLiteral("id"), QStringLiteral("name")});
        if (message.isEmpty())
            message = readText(object, where, QStringLiteral("name"), &group.name);
        if (message.isEmpty())
            message = checkUnique(*byId, *byName, where, group.id, group.name);
        if (!message.isEmpty())
            return message;
        byId->insert(group.id, i);
        byName->insert(group.name, i);
        groups->append(group);
    }
    return {};
}

} // namespace

std::optional<UserDirectory> UserDirectory::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read users file %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("users file %1 is not valid JSON: %2 at offset %3")
                     .arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("users file %1 must hold a JSON object").arg(path);
        return std::nullopt;
    }
    QString message;
    std::optional<UserDirectory> directory = fromJson(document.object(), &message);
    if (!directory)
        *error = QStringLiteral("users file %1: %2").arg(path, message);
    return directory;
}

std::optional<UserDirectory> UserDirectory::fromJson(const QJsonObject &json, QString *error)
{
    const auto fail = [error](const QString &message) {
        *error = message;
        return std::optional<UserDirectory>();
    };
    if (QString message =
            checkKeys(json, QStringLiteral("users file"),
                      {QStringLiteral("groups"), QStringLiteral("users")});
        !message.isEmpty())
        return fail(message);

    QList<Group> groups;
    QHash<QString, qsizetype> groupById;
    QHash<QString, qsizetype> groupByName;
    if (QString message = readGroups(json.value(QLatin1String("groups")), &groups, &groupById,
                                     &groupByName);
        !message.isEmpty())
        return fail(message);

    const QJsonValue usersValue = json.value(QLatin1String("users"));
    if (!usersValue.isArray())
        return fail(QStringLiteral("users must be an array"));
    const QJsonArray users = usersValue.toArray();
    static const QStringList knownKeys{QStringLiteral("id"), QStringLiteral("name"),
                                       QStringLiteral("password"), QStringLiteral("groups")};
    UserDirectory directory;
    QMap<int, int> usersByIterations;
    for (qsizetype i = 0; i < users.size(); ++i) {
        QString where = QStringLiteral("users[%1]").arg(i);
        if (!users.at(i).isObject())
            return fail(QStringLiteral("%1 must be an object").arg(where));
        const QJsonObject object = users.at(i).toObject();
        User user;
        if (QString message = readText(object, where, QStringLiteral("id"), &user.id);
            !message.isEmpty())
            return fail(message);
        where += QStringLiteral(" (%1)").arg(user.id);
        QString message = checkKeys(object, where, knownKeys);
        if (message.isEmpty())
            message = readText(object, where, QStringLiteral("name"), &user.name);
        if (message.isEmpty())
            message = checkUnique(directory.m_indexById, directory.m_indexByName, where, user.id,
                                  user.name);
        if (!message.isEmpty())
            return fail(message);

        // The value is never quoted back: if it is a plain-text password, it must not reach
        // a log through this message.
        const QJsonValue password = object.value(QLatin1String("password"));
        if (password.isUndefined() || password.isNull())
            return fail(QStringLiteral("%1: password is missing").arg(where));
        if (!password.isString()
            || !password.toString().startsWith(QLatin1String("pbkdf2-sha256$")))
            return fail(QStringLiteral("%1: password must be a pbkdf2-sha256 hash, never "
                                       "plain text")
                            .arg(where));
        user.passwordHash = password.toString();
        if (!PasswordHash::isWellFormed(user.passwordHash))
            return fail(QStringLiteral("%1: password is not a well-formed pbkdf2-sha256 hash")
                            .arg(where));
        ++usersByIterations[user.passwordHash.section(u'$', 1, 1).toInt()];

        const QJsonValue groupsValue = object.value(QLatin1String("groups"));
        if (!groupsValue.isUndefined() && !groupsValue.isNull()) {
            if (!groupsValue.isArray())
                return fail(QStringLiteral("%1: groups must be an array").arg(where));
            const QJsonArray references = groupsValue.toArray();
            if (references.size() > maxGroupsPerUser)
                return fail(QStringLiteral("%1: groups must have at most %2 entries")
                                .arg(where)
                                .arg(maxGroupsPerUser));
            for (const QJsonValue &reference : references) {
                if (!reference.isString())
                    return fail(QStringLiteral("%1: groups entries must be strings").arg(where));
                const QString text = reference.toString();
                // Group ids and names never collide across groups (checked above), so a
                // reference names at most one group.
                const qsizetype index = groupById.value(text, groupByName.value(text, -1));
                if (index < 0)
                    return fail(QStringLiteral("%1: unknown group \"%2\"").arg(where, text));
                const Group &group = groups.at(index);
                if (!user.groupIds.contains(group.id)) {
                    user.groupIds.append(group.id);
                    user.groupNames.append(group.name);
                }
            }
        }
        directory.m_indexById.insert(user.id, i);
        directory.m_indexByName.insert(user.name, i);
        directory.m_users.append(user);
    }

    // The dummy costs what most users' hashes cost; its all-zero key matches no password.
    int iterations = PasswordHash::defaultIterations;
    int mostUsers = 0;
    for (auto it = usersByIterations.cbegin(); it != usersByIterations.cend(); ++it) {
        if (it.value() >= mostUsers) {
            mostUsers = it.value();
            iterations = it.key();
        }
    }
    directory.m_dummyHash = QStringLiteral("pbkdf2-sha256$%1$%2$%3")
                                .arg(iterations)
                                .arg(QString(22, u'A'), QString(43, u'A'));
    return directory;
}

const UserDirectory::User *UserDirectory::authenticate(const QString &name,
                                                       const QString &password) const
{
    const User *user = findByName(name);
    if (!user) {
        // Spend the same work as a wrong password so an unknown name is not faster.
        PasswordHash::verify(password, m_dummyHash);
        return nullptr;
    }
    return PasswordHash::verify(password, user->passwordHash) ? user : nullptr;
}

const UserDirectory::User *UserDirectory::findById(const QString &id) const
{
    const qsizetype index = m_indexById.value(id, -1);
    return index < 0 ? nullptr : &m_users.at(index);
}

const UserDirectory::User *UserDirectory::findByName(const QString &name) const
{
    const qsizetype index = m_indexByName.value(name, -1);
    return index < 0 ? nullptr : &m_users.at(index);
}

Principal UserDirectory::principal(const User &user, const QString &sessionId) const
{
    Principal principal;
    principal.sessionId = sessionId;
    principal.userId = user.id;
    principal.userName = user.name;
    principal.groupIds = user.groupIds;
    principal.groupNames = user.groupNames;
    return principal;
}
