#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>

#include <sys/stat.h>

Q_LOGGING_CATEGORY(lcFiles, "eventsource.server.files")

namespace {

constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

// Removes the group and other bits of path's mode; false when that failed.
bool tighten(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat status{};
    if (::stat(native.constData(), &status) != 0)
        return false;
    const mode_t mode = status.st_mode & 07777;
    if ((mode & 077) == 0)
        return true;
    qCWarning(lcFiles).nospace() << "tightening permissions path=" << path << " mode_was=0"
                                 << Qt::oct << uint(mode) << " (other local users could read it)";
    return ::chmod(native.constData(), mode & 07700) == 0;
}

} // namespace

QString PrivateFiles::secureDir(const QString &dir)
{
    if (!QDir(dir).exists() && !QDir().mkpath(dir))
        return QStringLiteral("cannot create data dir %1").arg(dir);
    if (!tighten(dir))
        return QStringLiteral("cannot make data dir %1 private (chmod 700)").arg(dir);
    const QFileInfoList entries = QDir(dir).entryInfoList(QDir::Files | QDir::Hidden | QDir::NoSymLinks);
    for (const QFileInfo &entry : entries) {
        if (!tighten(entry.filePath()))
            return QStringLiteral("cannot make %1 private (chmod 600)").arg(entry.filePath());
    }
    return {};
}

QString PrivateFiles::write(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    // The mode is given at creation: there is no moment when the file is readable by others.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, ownerOnly) || !tighten(path)
        || file.write(bytes) != bytes.size() || !file.flush())
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    return {};
}

std::optional<QByteArray> PrivateFiles::readOrCreateSecret(const QString &path, int bytes, QString *error)
{
    QFile existing(path);
    if (existing.open(QIODevice::ReadOnly)) {
        const QByteArray secret = QByteArray::fromHex(existing.readAll().trimmed());
        if (secret.size() >= bytes)
            return secret;
    }
    QByteArray secret((bytes + 3) / 4 * 4, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(secret.data()), secret.size() / 4);
    *error = write(path, secret.toHex() + '\n');
    if (!error->isEmpty())
        return std::nullopt;
    return secret;
}
