#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

// Follows a chunked request body (RFC 9112 section 7.1) as its bytes arrive, only to tell
// where it ends and whether it is well-formed: QtHttpServer 6.4 waits for the timeout on a
// bad chunk size instead of answering 400. Chunk extensions are skipped, each size line
// bounded; trailer fields are refused at their first byte (Qt 6.4 answers the request there
// and reads what follows its own way).
class ChunkedBody final
{
public:
    enum class State { Reading, Done, Malformed };

    // Consumes bytes until the body ends; returns how many belong to it (the rest is the
    // next request). After Done or Malformed it consumes nothing.
    qsizetype feed(QByteArrayView bytes);
    State state() const { return m_state; }
    // The data bytes the chunk sizes read so far announce, arrived or not: a body too large
    // is refused at its size line.
    qint64 dataBytes() const { return m_dataBytes; }

private:
    enum class Part { SizeLine, Data, DataEnd, FinalCrlf };
    bool endLine(); // a size line, a chunk's CRLF or the final CRLF is complete

    static constexpr qsizetype maxLineBytes = 4096;
    State m_state = State::Reading;
    Part m_part = Part::SizeLine;
    QByteArray m_line;
    qint64 m_chunkLeft = 0;
    qint64 m_dataBytes = 0;
};
