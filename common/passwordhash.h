#pragma once

#include <QString>

// Stored passwords: PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) with a 16-byte random salt and
// a 32-byte key, written "pbkdf2-sha256$<iterations>$<salt>$<key>" with base64url salt and
// key. The iteration count travels with the hash, so it can be raised for new hashes
// without invalidating old ones.
struct PasswordHash final
{
    // Measured on the development machine (Debian 12, Qt 6.4.2, 2 cores under a parallel
    // build, one verify on one thread, best/worst of 10): 100000 rounds 180/226 ms, 120000
    // 215/264 ms, 150000 274/288 ms. Qt's PBKDF2 costs about 1.8 us a round, so 100000 is
    // the highest round number whose worst case stays under the 250 ms a login may take.
    static constexpr int defaultIterations = 100000;
    // Below minIterations a hash is cheap enough to brute-force offline; above maxIterations
    // one login would occupy the server for seconds, so such a file is refused too.
    static constexpr int minIterations = 1000;
    static constexpr int maxIterations = 10'000'000;

    // The encoded hash of password, or an empty string when iterations is out of range.
    static QString create(const QString &password, int iterations = defaultIterations);
    // Whether password matches encoded. False for a malformed encoding; the comparison of
    // keys takes the same time wherever they differ.
    static bool verify(const QString &password, const QString &encoded);
    static bool isWellFormed(const QString &encoded);
};
