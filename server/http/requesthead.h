#pragma once

#include <QByteArray>
#include <QByteArrayView>

// What the listener must know of a request head before QtHttpServer sees it, read strictly
// by RFC 9112: QtHttpServer 6.4 serves any version, takes header lines without a colon and
// ignores "Connection: close", and lenient parsing of framing headers is how requests are
// smuggled past proxies. parse() takes the head without its final blank line.
struct RequestHead final
{
    enum class Framing { None, Length, Chunked };

    int status = 0;     // 0: acceptable; otherwise the status to refuse it with
    QByteArray message; // why, when refused
    bool keepAlive = true;
    bool expectContinue = false;
    bool upgrade = false; // an Upgrade header: what follows the head is another protocol
    Framing framing = Framing::None;
    qint64 contentLength = 0;

    bool isAcceptable() const { return status == 0; }
    static RequestHead parse(QByteArrayView head);

    // Where the head in bytes ends: the index of its final "\r\n\r\n", or -1 while it has not
    // ended. QtHttpServer 6.4's parser also takes a bare LF for a line end and any byte after
    // the blank line's CR for its LF, so a head ends at the first "\n\n", or "\n\r" and one
    // more byte, too: then *bare is set and the index is that LF's (refuse it: 400). Searching
    // from 3 bytes before the last look's end finds what a look missed.
    static qsizetype findEnd(QByteArrayView bytes, qsizetype from, bool *bare);
};
