// HTTP/2 on the public listener (issue 13), against the real binary: Node's http2 client
// (h2client.mjs) for what a well-behaved client does, raw frames for what an attacker sends.
#include "adminapi.h"
#include "httpclient.h"
#include "passwordhash.h"
#include "serverprocess.h"
#include "testcertificate.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <functional>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

constexpr char origin[] = "https://app.example";

// Node running h2client.mjs: one HTTP/2 connection, driven by JSON lines.
class NodeClient final
{
public:
    NodeClient()
    {
        m_process.setProgram(u"node"_s);
        m_process.setArguments({QStringLiteral(ESH_H2CLIENT_SCRIPT)});
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { readLines(); });
        m_process.start();
    }
    ~NodeClient()
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
    Q_DISABLE_COPY_MOVE(NodeClient)

    // Connects to the URL; true once the session is up, with the ALPN protocol in alpn().
    bool connectTo(const QString &url, const QString &caFile = {})
    {
        QJsonObject command{{u"op"_s, u"connect"_s}, {u"url"_s, url}};
        if (!caFile.isEmpty())
            command.insert(u"ca"_s, caFile);
        send(command);
        return waitFor([this] { return !ofKind(u"connected"_s).isEmpty() || !ofKind(u"error"_s).isEmpty(); })
            && !ofKind(u"connected"_s).isEmpty();
    }
    QString alpn() const { return ofKind(u"connected"_s).value(0).value(u"alpn").toString(); }

    // Opens an event stream; true once its response head arrived.
    bool open(const QString &sid, const QString &path, const QJsonObject &headers = {}, bool paused = false)
    {
        send({{u"op"_s, u"open"_s}, {u"sid"_s, sid}, {u"path"_s, path}, {u"headers"_s, headers},
              {u"paused"_s, paused}});
        return waitFor([&] { return response(sid).has_value() || closed(sid).has_value(); })
            && response(sid).has_value();
    }
    // One request; its whole answer (status, headers, body).
    QJsonObject request(const QString &sid, const QString &method, const QString &path, const QJsonObject &headers,
                        const QString &body = {})
    {
        QJsonObject command{{u"op"_s, u"request"_s}, {u"sid"_s, sid}, {u"method"_s, method}, {u"path"_s, path},
                            {u"headers"_s, headers}};
        if (method != u"GET"_s)
            command.insert(u"body"_s, body);
        send(command);
        waitFor([&] { return response(sid).has_value(); });
        return response(sid).value_or(QJsonObject());
    }
    void send(const QJsonObject &command)
    {
        m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }

    bool waitFor(const std::function<bool()> &condition, int timeoutMs = 10000)
    {
        return QTest::qWaitFor(condition, timeoutMs);
    }
    QList<QJsonObject> ofKind(const QString &kind, const QString &sid = {}) const
    {
        QList<QJsonObject> found;
        for (const QJsonObject &line : m_lines) {
            if (line.value(u"ev").toString() == kind && (sid.isEmpty() || line.value(u"sid").toString() == sid))
                found.append(line);
        }
        return found;
    }
    // The data of each event the stream got, in order.
    QStringList dataOf(const QString &sid) const
    {
        QStringList data;
        for (const QJsonObject &event : ofKind(u"event"_s, sid))
            data.append(event.value(u"data").toString());
        return data;
    }
    std::optional<QJsonObject> response(const QString &sid) const
    {
        const QList<QJsonObject> found = ofKind(u"response"_s, sid);
        return found.isEmpty() ? std::nullopt : std::optional(found.first());
    }
    std::optional<QJsonObject> closed(const QString &sid) const
    {
        const QList<QJsonObject> found = ofKind(u"closed"_s, sid);
        return found.isEmpty() ? std::nullopt : std::optional(found.first());
    }

private:
    void readLines()
    {
        m_pending += m_process.readAllStandardOutput();
        qsizetype end;
        while ((end = m_pending.indexOf('\n')) >= 0) {
            m_lines.append(QJsonDocument::fromJson(m_pending.left(end)).object());
            m_pending.remove(0, end + 1);
        }
    }

    QProcess m_process;
    QByteArray m_pending;
    QList<QJsonObject> m_lines;
};

// Raw HTTP/2 frames (RFC 9113 section 4.1).
QByteArray frame(quint8 type, quint8 flags, quint32 streamId, const QByteArray &payload = {})
{
    QByteArray bytes;
    const auto length = quint32(payload.size());
    bytes.append(char(length >> 16)).append(char(length >> 8)).append(char(length));
    bytes.append(char(type)).append(char(flags));
    bytes.append(char(streamId >> 24)).append(char(streamId >> 16)).append(char(streamId >> 8)).append(char(streamId));
    return bytes + payload;
}
QByteArray quad(quint32 value)
{
    return QByteArray(1, char(value >> 24)) + char(value >> 16) + char(value >> 8) + char(value);
}

constexpr quint8 dataFrame = 0x0, headersFrame = 0x1, rstStreamFrame = 0x3, settingsFrame = 0x4, pingFrame = 0x6,
                 goawayFrame = 0x7, windowUpdateFrame = 0x8;
constexpr quint8 endStream = 0x1, endHeaders = 0x4;

QByteArray preface()
{
    return "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(settingsFrame, 0, 0);
}

// A GET of the path as HPACK without Huffman: static-table :method GET and :scheme http,
// :path and :authority as literals not indexed.
QByteArray getHeaders(quint32 streamId, const QByteArray &path)
{
    QByteArray block("\x82\x86", 2);
    block.append(char(0x04)).append(char(path.size())).append(path);
    block.append(char(0x01)).append(char(9)).append("localhost");
    return frame(headersFrame, endHeaders | endStream, streamId, block);
}

struct Frame
{
    quint8 type = 0;
    quint32 streamId = 0;
    QByteArray payload;
};

// Reads what the server sends until done() or the connection closes; the frames parsed.
QList<Frame> readFrames(QTcpSocket &socket, const std::function<bool(const QList<Frame> &)> &done)
{
    QList<Frame> frames;
    QByteArray received;
    HttpClient::readUntil(socket, received, [&] {
        while (received.size() >= 9) {
            const qsizetype length = (quint8(received[0]) << 16) | (quint8(received[1]) << 8) | quint8(received[2]);
            if (received.size() < 9 + length)
                break;
            const quint32 streamId = (quint32(quint8(received[5])) << 24 | quint8(received[6]) << 16
                                      | quint8(received[7]) << 8 | quint8(received[8])) & 0x7fffffff;
            frames.append({quint8(received[3]), streamId, received.mid(9, length)});
            received.remove(0, 9 + length);
        }
        return done(frames);
    });
    return frames;
}
quint32 codeAt(const QByteArray &payload, qsizetype offset)
{
    if (payload.size() < offset + 4)
        return quint32(-1);
    return quint32(quint8(payload[offset])) << 24 | quint8(payload[offset + 1]) << 16
        | quint8(payload[offset + 2]) << 8 | quint8(payload[offset + 3]);
}
// The error code of the server's GOAWAY, or -1 when it sent none before closing.
qint64 goawayCode(const QList<Frame> &frames)
{
    for (const Frame &each : frames) {
        if (each.type == goawayFrame)
            return codeAt(each.payload, 4);
    }
    return -1;
}
bool hasGoaway(const QList<Frame> &frames)
{
    return goawayCode(frames) >= 0;
}

constexpr quint32 noError = 0x0, protocolError = 0x1, flowControlError = 0x3, streamClosed = 0x5, refusedStream = 0x7,
                  cancel = 0x8,
                  enhanceYourCalm = 0xb;

} // namespace

class TestHttp2 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void streamsOnOneConnectionGetTheirFilters_data();
    void streamsOnOneConnectionGetTheirFilters();
    void resumesWithLastEventId();
    void stalledStreamResetAlone();
    void kickAndPauseResetOnlyThatStream();
    void loginAndCorsOverHttp2();
    void headerListOverLimitRefused();
    void streamsOverTheLimitRefused();
    void floodsClosed_data();
    void floodsClosed();
    void protocolErrorsClosed_data();
    void protocolErrorsClosed();
    void brokenPrefaceRefused();
    void unreadConnectionCutOff();
    void goawayAfterFinalRetryAtShutdown();
    void certificateReloadKeepsHttp2Streams();

private:
    QString url(bool tls) const
    {
        return tls ? u"https://localhost:%1"_s.arg(m_tls.publicPort()) : u"http://127.0.0.1:%1"_s.arg(m_plain.publicPort());
    }
    QString caFile() const { return m_dir.filePath(u"server.crt"_s); }
    // An attack's bytes on a connection of their own (see the definition).
    void closedWithGoaway(const QByteArray &bytes, quint32 code, const QByteArray &series);

    QTemporaryDir m_dir;
    ServerProcess m_plain; // h2c; users, CORS, 64 KiB stream buffers, 4 streams a connection
    ServerProcess m_tls;   // TLS, ALPN h2
};

void TestHttp2::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(TestCertificate::make(m_dir.path(), u"server"_s));
    const QJsonObject directory{
        {u"users"_s, QJsonArray{QJsonObject{{u"id"_s, u"u1"_s}, {u"name"_s, u"alice"_s},
                                            {u"password"_s, PasswordHash::create(u"alice-pw"_s, 1000)}}}}};
    QFile users(m_dir.filePath(u"users.json"_s));
    QVERIFY(users.open(QIODevice::WriteOnly));
    users.write(QJsonDocument(directory).toJson());
    users.close();

    QVERIFY2(m_plain.start({u"--users"_s, users.fileName(), u"--allow-origin"_s, QString::fromLatin1(origin),
                            u"--max-buffer-kb"_s, u"64"_s, u"--h2-max-streams"_s, u"24"_s}),
             m_plain.output().constData());
    QVERIFY2(m_tls.start({u"--tls-cert"_s, caFile(), u"--tls-key"_s, m_dir.filePath(u"server.key"_s)}),
             m_tls.output().constData());
}

void TestHttp2::streamsOnOneConnectionGetTheirFilters_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("h2c, prior knowledge") << false;
    QTest::newRow("h2 over TLS, by ALPN") << true;
}

// 20 streams on one connection, each getting exactly what its filter asks; each listed as
// its own connection with "protocol": "h2".
void TestHttp2::streamsOnOneConnectionGetTheirFilters()
{
    QFETCH(bool, tls);
    const ServerProcess &server = tls ? m_tls : m_plain;
    NodeClient client;
    QVERIFY(client.connectTo(url(tls), tls ? caFile() : QString()));
    QCOMPARE(client.alpn(), tls ? u"h2"_s : u"h2c"_s);
    const QStringList paths{u"/eventsource"_s, u"/eventsource/a"_s, u"/eventsource/b"_s, u"/eventsource/a,b"_s};
    const QString agent = u"filters-%1"_s.arg(tls);
    for (int i = 0; i < 20; ++i) {
        QVERIFY(client.open(u"s%1"_s.arg(i), paths[i % 4], {{u"user-agent"_s, agent}}));
        const QJsonObject headers = client.response(u"s%1"_s.arg(i))->value(u"headers").toObject();
        QCOMPARE(headers.value(u":status").toInt(), 200);
        QCOMPARE(headers.value(u"content-type").toString(), u"text/event-stream"_s);
        QCOMPARE(headers.value(u"x-accel-buffering").toString(), u"no"_s);
    }
    for (const QString &name : {u"a"_s, u"b"_s, u"c"_s, QString()})
        QCOMPARE(AdminApi::pushNamed(server.adminPort(), name, u"to-"_s + name).status, 200);
    const QList<QStringList> expected{{u"to-a"_s, u"to-b"_s, u"to-c"_s, u"to-"_s},
                                      {u"to-a"_s},
                                      {u"to-b"_s},
                                      {u"to-a"_s, u"to-b"_s}};
    // The unfiltered streams get the last push, so once they have it all have theirs.
    QVERIFY(client.waitFor([&] { return client.dataOf(u"s16"_s).size() == 4; }));
    for (int i = 0; i < 20; ++i)
        QCOMPARE(client.dataOf(u"s%1"_s.arg(i)), expected[i % 4]);

    const QJsonArray listed = HttpClient::admin(server.adminPort(), "GET", "/api/connections")
                                  .json()
                                  .object()
                                  .value(u"connections")
                                  .toArray();
    int mine = 0;
    for (const QJsonValue &record : listed) {
        if (record[u"userAgent"].toString() == agent) {
            ++mine;
            QCOMPARE(record[u"protocol"].toString(), u"h2"_s);
        }
    }
    QCOMPARE(mine, 20);
}

// Last-Event-ID over HTTP/2: only what came after.
void TestHttp2::resumesWithLastEventId()
{
    QStringList ids;
    for (int i = 0; i < 3; ++i)
        ids.append(AdminApi::pushNamed(m_plain.adminPort(), u"resume"_s, u"r%1"_s.arg(i)).id);
    NodeClient client;
    QVERIFY(client.connectTo(url(false)));
    QVERIFY(client.open(u"r"_s, u"/eventsource/resume"_s, {{u"last-event-id"_s, ids.first()}}));
    QVERIFY(client.waitFor([&] { return client.dataOf(u"r"_s).size() >= 2; }));
    QCOMPARE(client.dataOf(u"r"_s), (QStringList{u"r1"_s, u"r2"_s}));
    QCOMPARE(client.ofKind(u"event"_s, u"r"_s).last().value(u"id").toString(), ids.last());
}

// A stream that stops reading fills its window and then its 64 KiB buffer, and is reset
// alone (RST_STREAM CANCEL); the other stream of the connection gets every event, and the
// connection takes new streams. Each push waits until the reading stream has it, so only
// the stalled one can fall behind.
void TestHttp2::stalledStreamResetAlone()
{
    NodeClient client;
    QVERIFY(client.connectTo(url(false)));
    QVERIFY(client.open(u"stalled"_s, u"/eventsource/bulk"_s, {}, true));
    QVERIFY(client.open(u"reader"_s, u"/eventsource/bulk"_s));
    const QString data(16 * 1024, u'x');
    int pushed = 0;
    while (!client.closed(u"stalled"_s) && pushed < 100) {
        QCOMPARE(AdminApi::pushNamed(m_plain.adminPort(), u"bulk"_s, data + QString::number(++pushed)).status, 200);
        QVERIFY(client.waitFor([&] { return client.dataOf(u"reader"_s).size() == pushed; }));
        client.waitFor([&] { return client.closed(u"stalled"_s).has_value(); }, 50);
    }
    QVERIFY2(client.closed(u"stalled"_s).has_value(), "the stream that does not read was never reset");
    QCOMPARE(client.closed(u"stalled"_s)->value(u"rstCode").toInt(), int(cancel));
    // 64 KiB window + 64 KiB buffer: it cannot have held much more.
    QVERIFY2(pushed <= 12, qPrintable(QString::number(pushed)));
    QVERIFY(!client.closed(u"reader"_s));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(AdminApi::pushNamed(m_plain.adminPort(), u"bulk"_s, u"after-%1"_s.arg(i)).status, 200);
    QVERIFY(client.waitFor([&] { return client.dataOf(u"reader"_s).size() == pushed + 5; }));
    QVERIFY(client.open(u"later"_s, u"/eventsource"_s));
    QVERIFY(client.ofKind(u"goaway"_s).isEmpty());
}

// Kicking one stream (DELETE /api/connections/<id>) and pausing another (retry: then the
// end) leave the third stream of the connection, and the connection, alone.
void TestHttp2::kickAndPauseResetOnlyThatStream()
{
    NodeClient client;
    QVERIFY(client.connectTo(url(false)));
    QVERIFY(client.open(u"kicked"_s, u"/eventsource"_s, {{u"user-agent"_s, u"h2-kicked"_s}}));
    QVERIFY(client.open(u"paused"_s, u"/eventsource"_s, {{u"user-agent"_s, u"h2-paused"_s}}));
    QVERIFY(client.open(u"stays"_s, u"/eventsource"_s, {{u"user-agent"_s, u"h2-stays"_s}}));
    const QJsonObject kicked = AdminApi::connectionOf(m_plain.adminPort(), u"h2-kicked"_s);
    QVERIFY(!kicked.isEmpty());
    QCOMPARE(HttpClient::admin(m_plain.adminPort(), "DELETE",
                               "/api/connections/" + kicked.value(u"id").toString().toUtf8())
                 .status,
             200);
    QVERIFY(client.waitFor([&] { return client.closed(u"kicked"_s).has_value(); }));

    const QJsonObject paused = AdminApi::connectionOf(m_plain.adminPort(), u"h2-paused"_s);
    const QByteArray pause = QJsonDocument(QJsonObject{
        {u"delay"_s, 60000},
        {u"target"_s, QJsonObject{{u"sessions"_s, QJsonArray{paused.value(u"session")}}}}}).toJson();
    QCOMPARE(HttpClient::admin(m_plain.adminPort(), "POST", "/api/pause", pause).status, 200);
    QVERIFY(client.waitFor([&] { return client.closed(u"paused"_s).has_value(); }));
    QCOMPARE(client.ofKind(u"retry"_s, u"paused"_s).last().value(u"ms").toInt(), 60000);

    AdminApi::pushNamed(m_plain.adminPort(), {}, u"still-here"_s);
    QVERIFY(client.waitFor([&] { return client.dataOf(u"stays"_s).contains(u"still-here"_s); }));
    QVERIFY(!client.closed(u"stays"_s));
    QVERIFY(client.ofKind(u"goaway"_s).isEmpty());
    QVERIFY(client.ofKind(u"sessionclosed"_s).isEmpty());
}

// POST /login over HTTP/2 from an allowed origin: CORS headers and a session cookie, which
// then identifies a stream of the same connection.
void TestHttp2::loginAndCorsOverHttp2()
{
    NodeClient client;
    QVERIFY(client.connectTo(url(false)));
    const QJsonObject login = client.request(
        u"login"_s, u"POST"_s, u"/login"_s,
        {{u"origin"_s, QString::fromLatin1(origin)}, {u"content-type"_s, u"application/json"_s}},
        QString::fromUtf8(QJsonDocument(QJsonObject{{u"username"_s, u"alice"_s}, {u"password"_s, u"alice-pw"_s}})
                              .toJson(QJsonDocument::Compact)));
    const QJsonObject headers = login.value(u"headers").toObject();
    QCOMPARE(login.value(u"status").toInt(), 200);
    QCOMPARE(headers.value(u"access-control-allow-origin").toString(), QString::fromLatin1(origin));
    QCOMPARE(headers.value(u"access-control-allow-credentials").toString(), u"true"_s);
    const QString setCookie = headers.value(u"set-cookie").toArray().first().toString();
    const QString cookie = setCookie.section(u';', 0, 0);
    QVERIFY2(cookie.startsWith(u"eventsource_session="_s), qPrintable(setCookie));

    QVERIFY(client.open(u"alice"_s, u"/eventsource"_s, {{u"cookie"_s, cookie}, {u"user-agent"_s, u"h2-alice"_s}}));
    QCOMPARE(AdminApi::connectionOf(m_plain.adminPort(), u"h2-alice"_s).value(u"userName").toString(), u"alice"_s);

    const QJsonObject logout = client.request(u"logout"_s, u"POST"_s, u"/logout"_s, {{u"cookie"_s, cookie}});
    QCOMPARE(logout.value(u"status").toInt(), 200);
}

// A header list over --max-header-kb (16 KiB) gets 431 however small it was on the wire:
// Node's HPACK sends each repeat of the 1000-byte field as a one-byte index, so this is an
// HPACK bomb of 40 KiB decoded. The connection goes on.
void TestHttp2::headerListOverLimitRefused()
{
    const qint64 before = AdminApi::limitHits(m_plain.adminPort(), "header_size");
    NodeClient client;
    QVERIFY(client.connectTo(url(false)));
    QJsonArray repeats;
    for (int i = 0; i < 40; ++i)
        repeats.append(QString(1000, u'h'));
    const QJsonObject refused = client.request(u"bomb"_s, u"GET"_s, u"/eventsource"_s, {{u"x-pad"_s, repeats}});
    QCOMPARE(refused.value(u"status").toInt(), 431);
    QCOMPARE(AdminApi::limitHits(m_plain.adminPort(), "header_size"), before + 1);
    QVERIFY(client.open(u"after"_s, u"/eventsource"_s));
}

// More streams at once than --h2-max-streams (24): the extra one is refused with
// RST_STREAM REFUSED_STREAM and counted; the others are served. (Raw frames: Node would
// queue the extra stream itself.)
void TestHttp2::streamsOverTheLimitRefused()
{
    const qint64 before = AdminApi::metric(m_plain.adminPort(), "eventsource_h2_streams_refused_total");
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_plain.publicPort());
    QVERIFY(socket.waitForConnected(10000));
    QByteArray out = preface();
    for (quint32 i = 0; i < 25; ++i)
        out += getHeaders(1 + 2 * i, "/eventsource");
    socket.write(out);
    const auto refusedStreams = [](const QList<Frame> &frames) {
        QList<quint32> ids;
        for (const Frame &each : frames) {
            if (each.type == rstStreamFrame && codeAt(each.payload, 0) == refusedStream)
                ids.append(each.streamId);
        }
        return ids;
    };
    const QList<Frame> frames = readFrames(socket, [&](const QList<Frame> &got) { return !refusedStreams(got).isEmpty(); });
    QCOMPARE(refusedStreams(frames), QList<quint32>{49});
    QVERIFY(!hasGoaway(frames));
    QCOMPARE(AdminApi::metric(m_plain.adminPort(), "eventsource_h2_streams_refused_total"), before + 1);
}

// Sends the bytes on a connection of their own: the server answers GOAWAY with the code
// and closes, the metric series goes up by one, and a stream on another connection goes on
// receiving.
void TestHttp2::closedWithGoaway(const QByteArray &bytes, quint32 code, const QByteArray &series)
{
    NodeClient canary;
    QVERIFY(canary.connectTo(url(false)));
    QVERIFY(canary.open(u"canary"_s, u"/eventsource/canary"_s));
    const qint64 before = AdminApi::metric(m_plain.adminPort(), series);

    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, m_plain.publicPort());
    QVERIFY(socket.waitForConnected(10000));
    socket.write(bytes);
    const QList<Frame> frames = readFrames(socket, hasGoaway);
    QCOMPARE(goawayCode(frames), qint64(code));
    QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(10000));
    QCOMPARE(AdminApi::metric(m_plain.adminPort(), series), before + 1);
    const QString data = QString::fromLatin1(QTest::currentDataTag());
    AdminApi::pushNamed(m_plain.adminPort(), u"canary"_s, data);
    QVERIFY(canary.waitFor([&] { return canary.dataOf(u"canary"_s).contains(data); }));
}

void TestHttp2::floodsClosed_data()
{
    QTest::addColumn<QByteArray>("flood");
    QTest::addColumn<QByteArray>("frameLabel");
    QByteArray pings, settings, resets;
    for (int i = 0; i < 1000; ++i) {
        pings += frame(pingFrame, 0, 0, QByteArray(8, char(i)));
        settings += frame(settingsFrame, 0, 0);
    }
    // "Rapid reset" (CVE-2023-44487): open a stream and cancel it at once, again and again.
    for (quint32 i = 0; i < 1000; ++i)
        resets += getHeaders(1 + 2 * i, "/eventsource") + frame(rstStreamFrame, 0, 1 + 2 * i, quad(cancel));
    QTest::newRow("PING flood") << pings << QByteArray("ping");
    QTest::newRow("SETTINGS flood") << settings << QByteArray("settings");
    QTest::newRow("rapid reset") << resets << QByteArray("rst_stream");
}

// Each flood is closed with GOAWAY ENHANCE_YOUR_CALM and counted; a stream on another
// connection goes on receiving.
void TestHttp2::floodsClosed()
{
    QFETCH(QByteArray, flood);
    QFETCH(QByteArray, frameLabel);
    closedWithGoaway(preface() + frame(settingsFrame, 0x1, 0) + flood, enhanceYourCalm,
                     "eventsource_h2_floods_total{frame=\"" + frameLabel + "\"}");
}

void TestHttp2::protocolErrorsClosed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<quint32>("expectedGoaway");
    QTest::newRow("connection window past 2^31-1")
        << preface() + frame(windowUpdateFrame, 0, 0, quad(0x7fffffff)) << flowControlError;
    QTest::newRow("HEADERS on stream 0") << preface() + getHeaders(0, "/eventsource") << protocolError;
    QTest::newRow("SETTINGS_ENABLE_PUSH=2")
        << preface() + frame(settingsFrame, 0, 0, QByteArray("\x00\x02", 2) + quad(2)) << protocolError;
    QTest::newRow("DATA after the client half-closed its stream")
        << preface() + getHeaders(1, "/eventsource") + frame(dataFrame, endStream, 1, "late") << streamClosed;
}

// Each is closed by nghttp2's rules with its GOAWAY, counted as a protocol error, and the
// other connections go on.
void TestHttp2::protocolErrorsClosed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(quint32, expectedGoaway);
    closedWithGoaway(bytes, expectedGoaway, "eventsource_h2_protocol_errors_total");
}

// What opens like the preface but is not it is not HTTP/2: the HTTP/1.1 side refuses it.
void TestHttp2::brokenPrefaceRefused()
{
    const HttpResponse answer = HttpClient::parse(HttpClient::raw(m_plain.publicPort(), "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"));
    QCOMPARE(answer.status, 505);
}

// A client that reads nothing at all: its stream is dropped at its buffer bound, and once
// the socket has taken nothing of a full backlog for --request-timeout-ms, the connection
// is cut off (the stream's reset and a GOAWAY would wait behind the unread bytes forever).
void TestHttp2::unreadConnectionCutOff()
{
    ServerProcess server;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_LOGGING_RULES"_s, u"eventsource.server.http2.debug=true"_s);
    QVERIFY2(server.start({u"--request-timeout-ms"_s, u"500"_s, u"--max-buffer-kb"_s, u"64"_s}, environment),
             server.output().constData());
    QTcpSocket socket;
    socket.setReadBufferSize(1024);
    socket.connectToHost(u"127.0.0.1"_s, server.publicPort());
    QVERIFY(socket.waitForConnected(10000));
    // Windows as large as HTTP/2 allows, so the bytes pile up in the socket.
    const QByteArray initialWindow = QByteArray("\x00\x04", 2) + quad(0x7fffffff);
    socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(settingsFrame, 0, 0, initialWindow)
                 + frame(windowUpdateFrame, 0, 0, quad(0x7fffffff - 65535)) + getHeaders(1, "/eventsource"));
    QVERIFY(socket.waitForBytesWritten(10000));
    QVERIFY(AdminApi::waitForConnections(server.adminPort(), 1));
    const QString data(60 * 1024, u'u');
    for (int i = 0; i < 100 && AdminApi::connections(server.adminPort()) == 1; ++i)
        QCOMPARE(AdminApi::pushNamed(server.adminPort(), {}, data).status, 200);
    QVERIFY(AdminApi::waitForConnections(server.adminPort(), 0));
    QTRY_VERIFY_WITH_TIMEOUT(server.output().contains("connection not read, cut off"), 10000);
}

// SIGTERM: each HTTP/2 stream gets its final retry: and ends cleanly (END_STREAM, not a
// reset), then the connection gets GOAWAY NO_ERROR, and the server exits 0.
void TestHttp2::goawayAfterFinalRetryAtShutdown()
{
    ServerProcess server;
    QVERIFY2(server.start(), server.output().constData());
    NodeClient client;
    QVERIFY(client.connectTo(u"http://127.0.0.1:%1"_s.arg(server.publicPort())));
    QVERIFY(client.open(u"one"_s, u"/eventsource"_s));
    QVERIFY(client.open(u"two"_s, u"/eventsource/x"_s));
    QVERIFY(client.waitFor([&] { return client.ofKind(u"retry"_s).size() == 2; }));
    QCOMPARE(server.stop(), 0);
    QVERIFY(client.waitFor([&] { return !client.ofKind(u"goaway"_s).isEmpty(); }));
    QCOMPARE(client.ofKind(u"goaway"_s).first().value(u"code").toInt(), int(noError));
    for (const QString &sid : {u"one"_s, u"two"_s}) {
        QVERIFY(client.waitFor([&] { return client.closed(sid).has_value(); }));
        QCOMPARE(client.ofKind(u"retry"_s, sid).size(), 2);
        QCOMPARE(client.closed(sid)->value(u"rstCode").toInt(), int(noError));
    }
}

// SIGHUP with HTTP/2 streams open: they go on, and new connections get the renewed
// certificate, still with h2 offered.
void TestHttp2::certificateReloadKeepsHttp2Streams()
{
    NodeClient old;
    QVERIFY(old.connectTo(url(true), caFile()));
    QVERIFY(old.open(u"old"_s, u"/eventsource"_s));
    QVERIFY(TestCertificate::make(m_dir.path(), u"renewed"_s));
    for (const QString &suffix : {u".crt"_s, u".key"_s}) {
        QFile::remove(m_dir.filePath(u"server"_s + suffix));
        QVERIFY(QFile::copy(m_dir.filePath(u"renewed"_s + suffix), m_dir.filePath(u"server"_s + suffix)));
    }
    ::kill(pid_t(m_tls.process().processId()), SIGHUP);
    // Trusting only the renewed certificate, a connection succeeds once it is served.
    bool renewedServed = false;
    for (int attempt = 0; attempt < 50 && !renewedServed; ++attempt) {
        NodeClient next;
        renewedServed = next.connectTo(url(true), m_dir.filePath(u"renewed.crt"_s));
        if (renewedServed)
            QCOMPARE(next.alpn(), u"h2"_s);
        else
            QTest::qWait(100);
    }
    QVERIFY(renewedServed);
    QCOMPARE(AdminApi::pushNamed(m_tls.adminPort(), {}, u"after reload"_s).status, 200);
    QVERIFY(old.waitFor([&] { return old.dataOf(u"old"_s).contains(u"after reload"_s); }));
}

QTEST_GUILESS_MAIN(TestHttp2)
#include "tst_http2.moc"
