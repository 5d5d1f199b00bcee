#include "base64url.h"

namespace {
constexpr QByteArray::Base64Options options =
    QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

QByteArray Base64Url::encode(QByteArrayView bytes)
{
    return bytes.toByteArray().toBase64(options);
}

std::optional<QByteArray> Base64Url::decodeStrict(QByteArrayView text)
{
    const QByteArray ascii = text.toByteArray();
    const auto decoded =
        QByteArray::fromBase64Encoding(ascii, options | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.toBase64(options) != ascii)
        return std::nullopt;
    return decoded.decoded;
}
