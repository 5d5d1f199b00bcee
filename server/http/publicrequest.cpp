#include "publicrequest.h"

PublicRequest::PublicRequest(const QHttpServerRequest &request)
    : m_qt(&request)
    , m_method(request.method())
    , m_url(request.url())
{
}

PublicRequest::PublicRequest(QByteArrayView method, const QByteArray &target, const QByteArray &authority,
                             Headers headers, QByteArray body, QHostAddress remoteAddress)
    : m_method(methodFrom(method))
    , m_url(QStringLiteral("http://") + QString::fromLatin1(authority) + QString::fromLatin1(target))
    , m_headers(std::move(headers))
    , m_body(std::move(body))
    , m_remoteAddress(std::move(remoteAddress))
{
    for (auto &[name, value] : m_headers)
        name = name.toLower();
    if (!authority.isEmpty() && value("host").isEmpty())
        m_headers.append({"host", authority});
}

QByteArray PublicRequest::value(QByteArrayView name) const
{
    if (m_qt)
        return m_qt->value(name.toByteArray());
    const QByteArray lower = name.toByteArray().toLower();
    const QByteArrayView separator = lower == "cookie" ? "; " : ", ";
    QByteArray joined;
    for (const auto &[field, value] : m_headers) {
        if (field != lower)
            continue;
        if (!joined.isEmpty())
            joined += separator;
        joined += value;
    }
    return joined;
}

QByteArray PublicRequest::body() const
{
    return m_qt ? m_qt->body() : m_body;
}

QHostAddress PublicRequest::remoteAddress() const
{
    return m_qt ? m_qt->remoteAddress() : m_remoteAddress;
}

PublicRequest::Method PublicRequest::methodFrom(QByteArrayView name)
{
    static const std::pair<QByteArrayView, Method> methods[] = {
        {"GET", Method::Get},       {"POST", Method::Post},     {"OPTIONS", Method::Options},
        {"HEAD", Method::Head},     {"PUT", Method::Put},       {"DELETE", Method::Delete},
        {"PATCH", Method::Patch},   {"CONNECT", Method::Connect}, {"TRACE", Method::Trace},
    };
    for (const auto &[text, method] : methods) {
        if (text == name)
            return method;
    }
    return Method::Unknown;
}
