#include "controlhello.h"

#include <QHostAddress>
#include <QJsonArray>

QJsonObject ControlHello::toJson() const
{
    QJsonObject hello{{QStringLiteral("type"), QStringLiteral("hello")},
                      {QStringLiteral("version"), version},
                      {QStringLiteral("server"), QStringLiteral("eventsource-server")},
                      {QStringLiteral("authenticated"), authenticated},
                      {QStringLiteral("topics"), QJsonArray::fromStringList(topics)}};
    if (!serverVersion.isEmpty())
        hello.insert(QStringLiteral("serverVersion"), serverVersion);
    if (streamUrl.isValid())
        hello.insert(QStringLiteral("streamUrl"), streamUrl.toString());
    if (authenticated)
        hello.insert(QStringLiteral("testFaults"), testFaults);
    return hello;
}

std::optional<ControlHello> ControlHello::fromJson(const QJsonObject &message)
{
    if (message.value(QStringLiteral("type")).toString() != QLatin1String("hello"))
        return std::nullopt;
    ControlHello hello;
    hello.version = message.value(QStringLiteral("version")).toInt();
    hello.authenticated = message.value(QStringLiteral("authenticated")).toBool();
    for (const QJsonValue &topic : message.value(QStringLiteral("topics")).toArray())
        hello.topics.append(topic.toString());
    hello.serverVersion = message.value(QStringLiteral("serverVersion")).toString();
    hello.testFaults = message.value(QStringLiteral("testFaults")).toBool();
    const QUrl url(message.value(QStringLiteral("streamUrl")).toString(), QUrl::StrictMode);
    if (url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")))
        hello.streamUrl = url;
    return hello;
}

QUrl ControlHello::streamUrlSeenFrom(const QUrl &adminUrl) const
{
    QUrl url = streamUrl;
    const QHostAddress host(url.host());
    if (url.isValid() && (host == QHostAddress::AnyIPv4 || host == QHostAddress::AnyIPv6))
        url.setHost(adminUrl.host());
    return url;
}
