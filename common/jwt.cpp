#include "jwt.h"

#include "base64url.h"
#include "constanttime.h"

#include <QJsonDocument>
#include <QList>
#include <QMessageAuthenticationCode>

namespace {


std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}


QByteArray mac(QByteArrayView signingInput, QByteArrayView secret)
{
    return QMessageAuthenticationCode::hash(signingInput.toByteArray(), secret.toByteArray(),
                                            QCryptographicHash::Sha256);
}

Jwt::Verified refuse(const char *message)
{
    return {std::nullopt, QString::fromLatin1(message)};
}

} // namespace

Jwt::Verified Jwt::verify(QByteArrayView token, QByteArrayView secret, qint64 nowSeconds)
{
    if (secret.isEmpty())
        return refuse("no token secret is configured");
    if (token.size() > maxTokenBytes)
        return refuse("token is too long");

    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1);
    if (secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0)
        return refuse("token must have three segments");
    const QByteArrayView headerText = token.first(firstDot);
    const QByteArrayView payloadText = token.sliced(firstDot + 1, secondDot - firstDot - 1);
    const QByteArrayView signatureText = token.sliced(secondDot + 1);

    const std::optional<QByteArray> headerJson = Base64Url::decodeStrict(headerText);
    const std::optional<QByteArray> payloadJson = Base64Url::decodeStrict(payloadText);
    const std::optional<QByteArray> signature = Base64Url::decodeStrict(signatureText);
    if (!headerJson || !payloadJson || !signature)
        return refuse("token segment is not base64url");

    const std::optional<QJsonObject> header = parseObject(*headerJson);
    if (!header)
        return refuse("token header is not a JSON object");
    if (header->value(QLatin1String("alg")) != QJsonValue(QLatin1String("HS256")))
        return refuse("token algorithm must be HS256");
    // RFC 7515 section 4.1.11: extensions listed in "crit" must be understood; we know none.
    if (header->contains(QLatin1String("crit")))
        return refuse("token header has critical extensions");

    // The signature covers the segments as sent, so check it before trusting the payload.
    const QByteArrayView signingInput = token.first(secondDot);
    if (!ConstantTime::equal(*signature, mac(signingInput, secret)))
        return refuse("token signature does not match");

    const std::optional<QJsonObject> claims = parseObject(*payloadJson);
    if (!claims)
        return refuse("token payload is not a JSON object");

    // RFC 7519 sections 4.1.4 and 4.1.5; NumericDate may be fractional, so compare as double.
    const double now = double(nowSeconds);
    const QJsonValue exp = claims->value(QLatin1String("exp"));
    if (!exp.isUndefined()) {
        if (!exp.isDouble())
            return refuse("token exp is not a number");
        if (exp.toDouble() <= now)
            return refuse("token has expired");
    }
    const QJsonValue nbf = claims->value(QLatin1String("nbf"));
    if (!nbf.isUndefined()) {
        if (!nbf.isDouble())
            return refuse("token nbf is not a number");
        if (nbf.toDouble() > now)
            return refuse("token is not valid yet");
    }
    return {claims, QString()};
}

QByteArray Jwt::sign(const QJsonObject &claims, QByteArrayView secret)
{
    if (secret.isEmpty())
        return {};
    static const QByteArray header =
        Base64Url::encode(R"({"alg":"HS256","typ":"JWT"})");
    const QByteArray signingInput =
        header + '.' + Base64Url::encode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    return signingInput + '.' + Base64Url::encode(mac(signingInput, secret));
}
