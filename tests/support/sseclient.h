#pragma once

#include "sseparser.h"

#include <QList>
#include <QSslConfiguration>
#include <QSslSocket>

#include <optional>

// A raw-socket EventSource client: sends the GET, reads the response head, then feeds the
// body through the common parser. Blocking waits with deadlines, no sleeps.
class SseClient final
{
public:
    using Headers = QList<std::pair<QByteArray, QByteArray>>;

    // Speak TLS to "localhost" (as the certificate names it) with this configuration.
    void setTls(const QSslConfiguration &configuration) { m_tls = configuration; }
    // Connects and waits for the response head. False when no head arrived in time.
    bool open(quint16 port, const QByteArray &target, const Headers &headers = {},
              int timeoutMs = 10000);
    // Reads until at least count messages arrived (or the deadline); returns whether they did.
    bool waitForMessages(int count, int timeoutMs = 10000);
    // Reads until the parser has seen at least count comment lines.
    bool waitForComments(qint64 count, int timeoutMs = 10000);
    // Reads until the body contains the bytes.
    bool waitForBody(const QByteArray &needle, int timeoutMs = 10000);
    // Reads until the server closes the connection.
    bool waitForClosed(int timeoutMs = 10000);
    // Reads whatever is there within the time (for "nothing arrives" checks).
    void readFor(int ms);

    int status() const { return m_status; }
    QByteArray header(const QByteArray &name) const;
    const QList<SseMessage> &messages() const { return m_messages; }
    const QByteArray &body() const { return m_body; }
    const SseParser &parser() const { return m_parser; }
    bool isClosed() const { return m_closed; }
    QTcpSocket &socket() { return m_socket; }
    void close() { m_socket.abort(); }

    // The parts of a hub event id, "<epoch>-<sequence>".
    static QString epochOf(const QString &id);
    static quint64 sequenceOf(const QString &id);
    // The message a stream shows for an event pushed with this name ("" for none) and data.
    static SseMessage messageOf(const QString &name, const QString &data, const QString &id);

private:
    bool pump(int waitMs);

    QSslSocket m_socket; // plain TCP unless setTls()
    std::optional<QSslConfiguration> m_tls;
    QByteArray m_head;
    QByteArray m_body;
    int m_status = 0;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    SseParser m_parser;
    QList<SseMessage> m_messages;
    bool m_closed = false;
};
