#pragma once

#include <QByteArrayView>

#include <optional>

// The one parser of "Authorization: Bearer <token>" (RFC 9110 section 11.6.2, RFC 6750
// section 2.1): the scheme is case-insensitive and followed by one or more spaces; the
// token is what follows, without surrounding white space. Nothing for any other scheme.
struct BearerToken final
{
    static std::optional<QByteArrayView> parse(QByteArrayView header)
    {
        constexpr QByteArrayView scheme("bearer");
        if (header.size() <= scheme.size() || header.first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0
            || (header[scheme.size()] != ' ' && header[scheme.size()] != '\t'))
            return std::nullopt;
        QByteArrayView token = header.sliced(scheme.size()).trimmed();
        if (token.isEmpty())
            return std::nullopt;
        return token;
    }
};
