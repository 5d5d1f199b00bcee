#include "eventid.h"

#include <QDateTime>

std::optional<EventId> EventId::parse(QByteArrayView text)
{
    const qsizetype dash = text.lastIndexOf('-');
    if (dash <= 0 || dash + 1 >= text.size() || text.size() > 64)
        return std::nullopt;
    const QByteArrayView epoch = text.first(dash);
    for (const char c : epoch) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')))
            return std::nullopt;
    }
    const QByteArrayView digits = text.sliced(dash + 1);
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    bool ok = false;
    const quint64 seq = digits.toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return EventId{epoch.toByteArray(), seq};
}

QByteArray EventId::newEpoch()
{
    return QByteArray::number(QDateTime::currentMSecsSinceEpoch(), 36);
}
