#include "connectionssnapshot.h"

QJsonObject ConnectionsSnapshot::toJson() const
{
    return {{QStringLiteral("type"), QStringLiteral("connections.snapshot")},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("total"), total},
            {QStringLiteral("last"), last}};
}

std::optional<ConnectionsSnapshot> ConnectionsSnapshot::fromJson(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("connections.snapshot"))
        return std::nullopt;
    return ConnectionsSnapshot{message.value(QStringLiteral("connections")).toArray(),
                               message.value(QStringLiteral("total")).toInteger(),
                               message.value(QStringLiteral("last")).toBool(true)};
}

QList<ConnectionsSnapshot> ConnectionsSnapshot::pages(const QJsonArray &all, qsizetype pageSize)
{
    QList<ConnectionsSnapshot> pages;
    for (qsizetype start = 0; start < all.size() || start == 0; start += pageSize) {
        ConnectionsSnapshot page{{}, all.size(), start + pageSize >= all.size()};
        for (qsizetype i = start; i < qMin(all.size(), start + pageSize); ++i)
            page.connections.append(all[i]);
        pages.append(page);
    }
    return pages;
}
