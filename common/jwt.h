#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

// JSON Web Tokens (RFC 7519) in their signed compact form (RFC 7515 section 7.1), pinned to
// HS256. Nothing in the token chooses how it is checked: any other "alg", including "none"
// and a differently spelled "hs256", is refused, so a token cannot downgrade its own check.
class Jwt final
{
public:
    // Larger tokens are refused before any decoding; no legitimate identity needs more.
    static constexpr qsizetype maxTokenBytes = 64 * 1024;

    struct Verified
    {
        std::optional<QJsonObject> claims; // set only when the token is valid now
        QString error;                     // why not; never quotes the token or the secret
    };

    // Checks form, algorithm, signature, then "exp" and "nbf" against nowSeconds (seconds
    // since the epoch). An empty secret refuses every token.
    static Verified verify(QByteArrayView token, QByteArrayView secret, qint64 nowSeconds);

    // A token with header {"alg":"HS256","typ":"JWT"} and the given claims. Empty when the
    // secret is empty, since verify would refuse what it signed.
    static QByteArray sign(const QJsonObject &claims, QByteArrayView secret);
};
