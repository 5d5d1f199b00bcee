#pragma once

#include <QByteArrayView>
#include <QString>

// UTF-8 decoding exactly as the WHATWG Encoding Standard's decoder (which EventSource
// uses): a byte order mark is kept as U+FEFF (the caller strips the stream's first one) and
// each maximal invalid subpart becomes one U+FFFD. QString::fromUtf8 differs on both.
struct Utf8Decoder final
{
    static QString decode(QByteArrayView bytes);
};
