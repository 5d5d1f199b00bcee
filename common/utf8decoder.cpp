#include "utf8decoder.h"

QString Utf8Decoder::decode(QByteArrayView bytes)
{
    QString out;
    out.reserve(bytes.size());
    char32_t codePoint = 0;
    int needed = 0;
    int seen = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    // By hand: QString::fromUcs4 would drop a U+FEFF.
    const auto append = [&out](char32_t c) {
        if (QChar::requiresSurrogates(c)) {
            out.append(QChar(QChar::highSurrogate(c)));
            out.append(QChar(QChar::lowSurrogate(c)));
        } else {
            out.append(QChar(char16_t(c)));
        }
    };
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto byte = static_cast<unsigned char>(bytes[i]);
        if (needed == 0) {
            if (byte <= 0x7F) {
                out.append(QChar(byte));
            } else if (byte >= 0xC2 && byte <= 0xDF) {
                needed = 1;
                codePoint = byte & 0x1F;
            } else if (byte >= 0xE0 && byte <= 0xEF) {
                lower = byte == 0xE0 ? 0xA0 : 0x80;
                upper = byte == 0xED ? 0x9F : 0xBF;
                needed = 2;
                codePoint = byte & 0xF;
            } else if (byte >= 0xF0 && byte <= 0xF4) {
                lower = byte == 0xF0 ? 0x90 : 0x80;
                upper = byte == 0xF4 ? 0x8F : 0xBF;
                needed = 3;
                codePoint = byte & 0x7;
            } else {
                out.append(QChar::ReplacementCharacter);
            }
            continue;
        }
        if (byte < lower || byte > upper) {
            // The sequence so far is one error; the byte starts over ("prepend to stream").
            codePoint = 0;
            needed = seen = 0;
            lower = 0x80;
            upper = 0xBF;
            out.append(QChar::ReplacementCharacter);
            --i;
            continue;
        }
        lower = 0x80;
        upper = 0xBF;
        codePoint = (codePoint << 6) | (byte & 0x3F);
        if (++seen == needed) {
            append(codePoint);
            codePoint = 0;
            needed = seen = 0;
        }
    }
    if (needed != 0)
        out.append(QChar::ReplacementCharacter);
    return out;
}
