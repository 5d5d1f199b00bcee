#pragma once

#include <QByteArray>

#include <optional>

// base64url without padding (RFC 4648 §5), as JWTs and our password hashes spell bytes.
struct Base64Url final
{
    static QByteArray encode(QByteArrayView bytes);
    // Canonical text only: URL alphabet, no padding, no whitespace, canonical trailing bits
    // (re-encoding must give the same text), so each value has exactly one spelling.
    static std::optional<QByteArray> decodeStrict(QByteArrayView text);
};
