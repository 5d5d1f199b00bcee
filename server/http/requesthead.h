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
};
