#pragma once

#include "principal.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>

// The built-in user directory, read once from a JSON file:
//   {"groups": [{"id": "g1", "name": "Marketing"}],
//    "users": [{"id": "u1", "name": "alice", "password": "pbkdf2-sha256$...",
//               "groups": ["g1", "Marketing"]}]}
// A user's groups refer to groups by id or by name. Among users, and among groups, ids and
// names are unique and no id is another entry's name, because targets address users and
// groups by either. Passwords are only ever stored as PasswordHash encodings.
class UserDirectory final
{
public:
    struct User
    {
        QString id;
        QString name;
        QString passwordHash;
        QStringList groupIds;   // parallel to groupNames, resolved at load
        QStringList groupNames;
    };

    // Nothing, with an error naming the file or the offending user and field, when the file
    // cannot be read or breaks a rule above.
    static std::optional<UserDirectory> load(const QString &path, QString *error);
    static std::optional<UserDirectory> fromJson(const QJsonObject &json, QString *error);

    // The user whose name and password match, or null. Takes about one password check
    // whether or not the name exists, so timing does not tell which names are users.
    const User *authenticate(const QString &name, const QString &password) const;
    // Pointers stay valid as long as this directory; it never changes after loading.
    const User *findById(const QString &id) const;
    const User *findByName(const QString &name) const;
    Principal principal(const User &user, const QString &sessionId) const;
    int size() const { return int(m_users.size()); }

private:
    QList<User> m_users;
    QHash<QString, qsizetype> m_indexById;
    QHash<QString, qsizetype> m_indexByName;
    // A well-formed hash that matches no password, at the iteration count most users have.
    QString m_dummyHash;
};
