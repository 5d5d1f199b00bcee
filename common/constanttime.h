#pragma once

#include <QByteArrayView>

// Secret comparison that takes the same time wherever the inputs differ, so an attacker
// cannot find a token or MAC byte by byte. Lengths are not treated as secret.
struct ConstantTime final
{
    static bool equal(QByteArrayView a, QByteArrayView b)
    {
        if (a.size() != b.size())
            return false;
        unsigned char difference = 0;
        for (qsizetype i = 0; i < a.size(); ++i)
            difference |= static_cast<unsigned char>(a[i] ^ b[i]);
        return difference == 0;
    }
};
