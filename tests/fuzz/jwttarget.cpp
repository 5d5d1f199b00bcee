#include "fuzztargets.h"

#include "base64url.h"
#include "fuzzcheck.h"
#include "jwt.h"

#include <QJsonDocument>
#include <QMessageAuthenticationCode>

namespace {

constexpr qint64 now = 1'700'000'000;
const QByteArray secret = QByteArrayLiteral("fuzz secret");
// Longer than any of Jwt's refusals, so finding the input in one means it was quoted.
constexpr qsizetype quotable = 64;

// RFC 7519 sections 4.1.4 and 4.1.5, restated rather than taken from the code under test.
bool timeHolds(const QJsonObject &claims)
{
    const QJsonValue exp = claims.value(QLatin1String("exp"));
    const QJsonValue nbf = claims.value(QLatin1String("nbf"));
    return (exp.isUndefined() || (exp.isDouble() && exp.toDouble() > double(now)))
        && (nbf.isUndefined() || (nbf.isDouble() && nbf.toDouble() <= double(now)));
}

Jwt::Verified verify(const QByteArray &token, const QByteArray &key = secret)
{
    const Jwt::Verified verified = Jwt::verify(token, key, now);
    FuzzTargets::check(verified.claims.has_value() == verified.error.isEmpty(),
                       "claims and an error together, or neither");
    FuzzTargets::check(!verified.error.contains(QLatin1String(key)), "error quotes the secret");
    FuzzTargets::check(token.size() < quotable || !verified.error.contains(QLatin1String(token)),
                       "error quotes the token");
    return verified;
}

QByteArray signedToken(const QByteArray &signingInput, const QByteArray &signature)
{
    return signingInput + '.' + Base64Url::encode(signature);
}

} // namespace

bool FuzzTargets::jwt(const uint8_t *data, size_t size)
{
    const QByteArray input = bytes(data, size);
    verify(input);

    const qsizetype newline = input.indexOf('\n');
    const QByteArray headerJson = newline < 0 ? input : input.first(newline);
    const QByteArray payloadJson = newline < 0 ? QByteArray() : input.sliced(newline + 1);
    const QByteArray signingInput = Base64Url::encode(headerJson) + '.' + Base64Url::encode(payloadJson);
    const QByteArray signature =
        QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256);
    const QByteArray token = signedToken(signingInput, signature);
    const Jwt::Verified verified = verify(token);

    const std::optional<QJsonObject> header = jsonObject(headerJson);
    const std::optional<QJsonObject> payload = jsonObject(payloadJson);
    const bool valid = token.size() <= Jwt::maxTokenBytes && header
        && header->value(QLatin1String("alg")) == QJsonValue(QLatin1String("HS256"))
        && !header->contains(QLatin1String("crit")) && payload && timeHolds(*payload);
    check(verified.claims.has_value() == valid, "verdict differs from RFC 7519 and the HS256 pin");

    if (payload) {
        // What Jwt signs it accepts back unchanged, as long as the time claims hold.
        const QByteArray minted = Jwt::sign(*payload, secret);
        const Jwt::Verified again = verify(minted);
        check(again.claims.has_value() == (minted.size() <= Jwt::maxTokenBytes && timeHolds(*payload)),
              "a token Jwt::sign made is judged otherwise");
        check(!again.claims || *again.claims == *payload, "signed claims came back changed");
    }
    if (!valid)
        return false;
    check(*verified.claims == *payload, "claims differ from the payload");
    for (qsizetype i = 0; i < signature.size(); i += 7) {
        QByteArray tampered = signature;
        tampered[i] = char(tampered[i] ^ 0x01);
        check(!verify(signedToken(signingInput, tampered)).claims, "tampered signature accepted");
    }
    check(!verify(token, secret + 'x').claims, "token accepted under another secret");
    return true;
}
