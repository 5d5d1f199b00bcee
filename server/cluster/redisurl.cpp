#include "redisurl.h"

#include <QUrl>
#include <QUrlQuery>

namespace {

bool parseDb(const QString &text, int *db)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < 0 || value > 1000000)
        return false;
    *db = value;
    return true;
}

} // namespace

QString RedisUrl::display() const
{
    const QString login = user.isEmpty() && password.isEmpty() ? QString()
        : (user.isEmpty() ? QStringLiteral(":***@") : user + QStringLiteral(":***@"));
    if (!socketPath.isEmpty())
        return QStringLiteral("unix://") + socketPath + (db ? QStringLiteral("?db=%1").arg(db) : QString());
    return QStringLiteral("redis://%1%2:%3/%4").arg(login, host).arg(port).arg(db);
}

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &why) {
        *error = why;
        return std::nullopt;
    };
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return fail(QStringLiteral("'%1' is not a URL").arg(text.left(200)));
    RedisUrl parsed;
    parsed.user = url.userName(QUrl::FullyDecoded);
    parsed.password = url.password(QUrl::FullyDecoded);
    if (url.scheme() == QLatin1String("unix")) {
        if (!url.host().isEmpty() || url.path().isEmpty() || !url.path().startsWith(u'/'))
            return fail(QStringLiteral("a Unix socket URL is unix:///path/to/socket"));
        parsed.socketPath = url.path();
        const QUrlQuery query(url);
        if (query.hasQueryItem(QStringLiteral("db"))
            && !parseDb(query.queryItemValue(QStringLiteral("db")), &parsed.db))
            return fail(QStringLiteral("db must be a number"));
        return parsed;
    }
    if (url.scheme() != QLatin1String("redis"))
        return fail(QStringLiteral("the scheme must be redis:// or unix://, got '%1'").arg(url.scheme().left(20)));
    if (url.host().isEmpty())
        return fail(QStringLiteral("a Redis URL needs a host: redis://host:port"));
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("a redis:// URL takes no query or fragment"));
    parsed.host = url.host();
    parsed.port = url.port(6379);
    if (parsed.port <= 0)
        return fail(QStringLiteral("the port must be from 1 to 65535"));
    const QString path = url.path();
    if (!path.isEmpty() && path != QLatin1String("/") && !parseDb(path.mid(1), &parsed.db))
        return fail(QStringLiteral("the path is the database number: redis://host:port/0"));
    return parsed;
}
