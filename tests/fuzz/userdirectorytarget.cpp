#include "fuzztargets.h"

#include "fuzzcheck.h"
#include "userdirectory.h"

#include <QJsonArray>

bool FuzzTargets::userDirectory(const uint8_t *data, size_t size)
{
    // UserDirectory::load reads the file and hands its object to fromJson; only the reading
    // is left out, so millions of inputs never touch the disk.
    const std::optional<QJsonObject> file = jsonObject(data, size);
    if (!file)
        return false;
    QString error;
    const std::optional<UserDirectory> directory = UserDirectory::fromJson(*file, &error);
    check(directory.has_value() == error.isEmpty(), "directory and an error together, or neither");
    if (!directory)
        return false;

    QHash<QString, QString> groupNameById;
    for (const QJsonValue &group : file->value(QLatin1String("groups")).toArray())
        groupNameById.insert(group[QLatin1String("id")].toString(), group[QLatin1String("name")].toString());
    const QJsonArray users = file->value(QLatin1String("users")).toArray();
    check(qsizetype(directory->size()) == users.size(), "not every user is in the directory");
    for (const QJsonValue &entry : users) {
        const QString id = entry[QLatin1String("id")].toString();
        const QString name = entry[QLatin1String("name")].toString();
        const UserDirectory::User *user = directory->findById(id);
        check(user && user == directory->findByName(name), "user not found by id and name alike");
        check(user->id == id && user->name == name, "user found under another id or name");
        check(!directory->findByName(id) || directory->findByName(id) == user, "an id is another user's name");
        check(user->groupIds.size() == user->groupNames.size(), "group ids and names not parallel");
        QStringList unique = user->groupIds;
        check(unique.removeDuplicates() == 0, "a group listed twice");
        for (qsizetype i = 0; i < user->groupIds.size(); ++i) {
            check(groupNameById.contains(user->groupIds.at(i)), "a group the file does not have");
            check(groupNameById.value(user->groupIds.at(i)) == user->groupNames.at(i), "a group under another name");
        }
        const Principal principal = directory->principal(*user, QStringLiteral("s1"));
        check(principal.isAddressedBy(Target{{}, {id}, {}}) && principal.isAddressedBy(Target{{}, {name}, {}}),
              "a user's principal not addressed by its id and name");
    }
    return true;
}
