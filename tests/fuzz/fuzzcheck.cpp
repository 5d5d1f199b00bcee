#include "fuzzcheck.h"

#include <QJsonDocument>

#include <cstdio>
#include <cstdlib>

void FuzzTargets::check(bool condition, const char *what)
{
    if (!condition) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

QByteArray FuzzTargets::bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

std::optional<QJsonObject> FuzzTargets::jsonObject(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

std::optional<QJsonObject> FuzzTargets::jsonObject(const uint8_t *data, size_t size)
{
    return jsonObject(bytes(data, size));
}
