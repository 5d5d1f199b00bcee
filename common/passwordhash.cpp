#include "passwordhash.h"

#include "base64url.h"
#include "constanttime.h"

#include <QList>
#include <QPasswordDigestor>
#include <QRandomGenerator>

#include <optional>

namespace {

const QLatin1String scheme("pbkdf2-sha256");
constexpr qsizetype saltBytes = 16;
constexpr qsizetype keyBytes = 32;

struct Parsed
{
    int iterations = 0;
    QByteArray salt;
    QByteArray key;
};


std::optional<Parsed> parse(const QString &encoded)
{
    const QList<QStringView> parts = QStringView(encoded).split(u'$');
    if (parts.size() != 4 || parts[0] != scheme)
        return std::nullopt;
    // Digits only: toInt alone would accept "+1000" and " 1000", more spellings of one hash.
    const QStringView rounds = parts[1];
    if (rounds.isEmpty() || rounds.size() > 8 || rounds.startsWith(u'0'))
        return std::nullopt;
    for (const QChar c : rounds) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
    }
    Parsed parsed;
    parsed.iterations = rounds.toInt();
    if (parsed.iterations < PasswordHash::minIterations
        || parsed.iterations > PasswordHash::maxIterations)
        return std::nullopt;
    const std::optional<QByteArray> salt = Base64Url::decodeStrict(parts[2].toLatin1());
    const std::optional<QByteArray> key = Base64Url::decodeStrict(parts[3].toLatin1());
    // Salts shorter than ours are accepted from other tools, but not trivially short ones.
    if (!salt || salt->size() < 8 || salt->size() > 64 || !key || key->size() != keyBytes)
        return std::nullopt;
    parsed.salt = *salt;
    parsed.key = *key;
    return parsed;
}

QByteArray derive(const QString &password, const QByteArray &salt, int iterations)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(),
                                              salt, iterations, keyBytes);
}

} // namespace

QString PasswordHash::create(const QString &password, int iterations)
{
    if (iterations < minIterations || iterations > maxIterations)
        return {};
    quint32 words[saltBytes / sizeof(quint32)];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray salt(reinterpret_cast<const char *>(words), saltBytes);
    const QByteArray key = derive(password, salt, iterations);
    return QString(scheme) + u'$' + QString::number(iterations) + u'$'
        + QString::fromLatin1(Base64Url::encode(salt)) + u'$'
        + QString::fromLatin1(Base64Url::encode(key));
}

bool PasswordHash::verify(const QString &password, const QString &encoded)
{
    const std::optional<Parsed> parsed = parse(encoded);
    if (!parsed)
        return false;
    return ConstantTime::equal(derive(password, parsed->salt, parsed->iterations), parsed->key);
}

bool PasswordHash::isWellFormed(const QString &encoded)
{
    return parse(encoded).has_value();
}
