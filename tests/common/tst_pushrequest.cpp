#include "pushrequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (!document.isObject())
        qFatal("bad JSON in test table: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return document.object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_PushRequest final : public QObject
{
    Q_OBJECT

private slots:
    void accepted_data();
    void accepted();
    void refused_data();
    void refused();
    void bodyReadsBack_data();
    void bodyReadsBack();
};

void tst_PushRequest::accepted_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("target"); // compact JSON of the parsed target

    const QByteArray unnamed;
    const QByteArray broadcast = "{}";
    const QByteArray longName(256, 'n');

    QTest::addRow("string data, no name") << QByteArray(R"({"data": "hello"})") << unnamed
                                          << QByteArray("hello") << broadcast;
    QTest::addRow("string data with name") << QByteArray(R"({"event": "greet", "data": "hi"})")
                                           << QByteArray("greet") << QByteArray("hi") << broadcast;
    QTest::addRow("null event is a plain message") << QByteArray(R"({"event": null, "data": "x"})")
                                                   << unnamed << QByteArray("x") << broadcast;
    QTest::addRow("empty event is a plain message") << QByteArray(R"({"event": "", "data": "x"})")
                                                    << unnamed << QByteArray("x") << broadcast;
    QTest::addRow("name of 256 bytes") << R"({"event": ")" + longName + R"(", "data": "x"})" << longName
                                       << QByteArray("x") << broadcast;
    QTest::addRow("name with spaces and UTF-8")
        << QByteArray(R"({"event": "order placed \u00e9", "data": "x"})")
        << QByteArray("order placed \xc3\xa9") << QByteArray("x") << broadcast;
    QTest::addRow("string data kept raw, quotes and all")
        << QByteArray(R"({"data": "say \"hi\""})") << unnamed << QByteArray("say \"hi\"") << broadcast;
    QTest::addRow("string data with newlines kept raw")
        << QByteArray(R"({"data": "a\nb\r\nc"})") << unnamed << QByteArray("a\nb\r\nc") << broadcast;
    QTest::addRow("string data as UTF-8") << QByteArray(R"({"data": "h\u00e9llo \u2603"})") << unnamed
                                          << QByteArray("h\xc3\xa9llo \xe2\x98\x83") << broadcast;
    QTest::addRow("empty string data") << QByteArray(R"({"data": ""})") << unnamed << QByteArray("")
                                       << broadcast;
    QTest::addRow("string that looks like JSON stays raw")
        << QByteArray(R"({"data": "{\"a\":1}"})") << unnamed << QByteArray(R"({"a":1})") << broadcast;
    QTest::addRow("json false keeps a string raw") << QByteArray(R"({"data": "hello", "json": false})")
                                                   << unnamed << QByteArray("hello") << broadcast;
    QTest::addRow("json true quotes a string") << QByteArray(R"({"data": "hello", "json": true})")
                                               << unnamed << QByteArray(R"("hello")") << broadcast;
    QTest::addRow("json true escapes a string")
        << QByteArray(R"({"data": "a\"b\nc", "json": true})") << unnamed << QByteArray(R"("a\"b\nc")")
        << broadcast;
    QTest::addRow("json true allows NUL in a string")
        << QByteArray(R"({"data": "a\u0000b", "json": true})") << unnamed << QByteArray(R"("a\u0000b")")
        << broadcast;
    QTest::addRow("object as compact JSON") << QByteArray(R"({"data": {"b": [1, 2], "a": "x"}})") << unnamed
                                            << QByteArray(R"({"a":"x","b":[1,2]})") << broadcast;
    QTest::addRow("object with NUL in a string") << QByteArray(R"({"data": {"k": "a\u0000b"}})") << unnamed
                                                 << QByteArray(R"({"k":"a\u0000b"})") << broadcast;
    QTest::addRow("empty object") << QByteArray(R"({"data": {}})") << unnamed << QByteArray("{}") << broadcast;
    QTest::addRow("array as compact JSON") << QByteArray(R"({"data": [1, "two", null, true]})") << unnamed
                                           << QByteArray(R"([1,"two",null,true])") << broadcast;
    QTest::addRow("integer") << QByteArray(R"({"data": 42})") << unnamed << QByteArray("42") << broadcast;
    QTest::addRow("negative fraction") << QByteArray(R"({"data": -1.5})") << unnamed << QByteArray("-1.5")
                                       << broadcast;
    QTest::addRow("true") << QByteArray(R"({"data": true})") << unnamed << QByteArray("true") << broadcast;
    QTest::addRow("false") << QByteArray(R"({"data": false})") << unnamed << QByteArray("false") << broadcast;
    QTest::addRow("null") << QByteArray(R"({"data": null})") << unnamed << QByteArray("null") << broadcast;
    QTest::addRow("json true with an object changes nothing")
        << QByteArray(R"({"data": {"a": 1}, "json": true})") << unnamed << QByteArray(R"({"a":1})")
        << broadcast;
    QTest::addRow("json false with a number still JSON") << QByteArray(R"({"data": 7, "json": false})")
                                                         << unnamed << QByteArray("7") << broadcast;

    QTest::addRow("null target is a broadcast") << QByteArray(R"({"data": "x", "target": null})") << unnamed
                                                << QByteArray("x") << broadcast;
    QTest::addRow("target users") << QByteArray(R"({"data": "x", "target": {"users": ["alice", "u2"]}})")
                                  << unnamed << QByteArray("x") << QByteArray(R"({"users":["alice","u2"]})");
    QTest::addRow("target all three")
        << QByteArray(R"({"event": "e", "data": "x",
                          "target": {"sessions": ["s1"], "users": ["bob"], "groups": ["ops", 7]}})")
        << QByteArray("e") << QByteArray("x")
        << QByteArray(R"({"groups":["ops","7"],"sessions":["s1"],"users":["bob"]})");
}

void tst_PushRequest::accepted()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, target);

    const PushRequest request = PushRequest::fromJson(parse(body));
    QVERIFY2(request.draft, qPrintable(request.error));
    QVERIFY(request.error.isEmpty());
    QCOMPARE(request.draft->name, name);
    QCOMPARE(request.draft->data, data);
    QCOMPARE(compact(request.draft->target.toJson()), target);
    // The log assigns these.
    QVERIFY(request.draft->id.isEmpty());
    QVERIFY(request.draft->frame.isEmpty());
}

void tst_PushRequest::refused_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error"); // a fragment of the error message

    QTest::addRow("empty body") << QByteArray("{}") << "data is required";
    QTest::addRow("name but no data") << QByteArray(R"({"event": "e"})") << "data is required";
    QTest::addRow("unknown field") << QByteArray(R"({"data": "x", "colour": "red"})") << "unknown field 'colour'";
    QTest::addRow("misspelt field") << QByteArray(R"({"dat": "x"})") << "unknown field 'dat'";
    QTest::addRow("target names nobody") << QByteArray(R"({"data": "x", "target": {"users": []}})")
                                         << "names no session";
    QTest::addRow("field names are case-sensitive") << QByteArray(R"({"Data": "x"})") << "unknown field 'Data'";
    QTest::addRow("id is not settable") << QByteArray(R"({"data": "x", "id": "1"})") << "unknown field 'id'";
    QTest::addRow("NUL in string data") << QByteArray(R"({"data": "a\u0000b"})") << "NUL";
    QTest::addRow("NUL in string data, json false") << QByteArray(R"({"data": "\u0000", "json": false})")
                                                    << "NUL";
    QTest::addRow("event is a number") << QByteArray(R"({"event": 5, "data": "x"})") << "event must be a string";
    QTest::addRow("event is an object") << QByteArray(R"({"event": {}, "data": "x"})")
                                        << "event must be a string";
    QTest::addRow("event with LF") << QByteArray(R"({"event": "a\nb", "data": "x"})") << "CR, LF or NUL";
    QTest::addRow("event with CR") << QByteArray(R"({"event": "a\rb", "data": "x"})") << "CR, LF or NUL";
    QTest::addRow("event with NUL") << QByteArray(R"({"event": "a\u0000b", "data": "x"})") << "CR, LF or NUL";
    QTest::addRow("event with comma") << QByteArray(R"({"event": "a,b", "data": "x"})") << "comma";
    QTest::addRow("event of 257 bytes") << R"({"event": ")" + QByteArray(257, 'n') + R"(", "data": "x"})"
                                        << "longer than 256";
    QTest::addRow("event of 129 two-byte characters")
        << R"({"event": ")" + QByteArray("\xc3\xa9").repeated(129) + R"(", "data": "x"})" << "longer than 256";
    QTest::addRow("json is a string") << QByteArray(R"({"data": "x", "json": "true"})")
                                      << "json must be true or false";
    QTest::addRow("json is a number") << QByteArray(R"({"data": "x", "json": 1})")
                                      << "json must be true or false";
    QTest::addRow("target is a string") << QByteArray(R"({"data": "x", "target": "alice"})")
                                        << "target must be an object";
    QTest::addRow("target is an array") << QByteArray(R"({"data": "x", "target": ["alice"]})")
                                        << "target must be an object";
    QTest::addRow("target unknown field") << QByteArray(R"({"data": "x", "target": {"user": ["a"]}})")
                                          << "target.user";
    QTest::addRow("target list not an array") << QByteArray(R"({"data": "x", "target": {"users": "a"}})")
                                              << "target.users must be an array";
    QTest::addRow("target entry is an object")
        << QByteArray(R"({"data": "x", "target": {"groups": [{}]}})") << "target.groups entries";
    QTest::addRow("target entry is a fraction")
        << QByteArray(R"({"data": "x", "target": {"sessions": [1.5]}})") << "target.sessions entries";
    QTest::addRow("target entry is empty") << QByteArray(R"({"data": "x", "target": {"users": [""]}})")
                                           << "must not be empty";
}

void tst_PushRequest::refused()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);

    const PushRequest request = PushRequest::fromJson(parse(body));
    QVERIFY2(!request.draft, request.draft ? request.draft->data.constData() : "");
    QVERIFY2(request.error.contains(error), qPrintable(request.error));
}

// What the CLI and the console write is what the server reads.
void tst_PushRequest::bodyReadsBack_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<QJsonValue>("data");
    QTest::addColumn<bool>("dataIsJson");
    QTest::addColumn<QJsonObject>("target");
    QTest::addColumn<QByteArray>("wire");  // the body
    QTest::addColumn<QByteArray>("sent");  // the event's data as streams get it
    QTest::newRow("text") << QString() << QJsonValue(u"hi"_qs) << false << QJsonObject()
                          << QByteArray(R"({"data":"hi"})") << QByteArray("hi");
    QTest::newRow("JSON text") << u"price"_qs << QJsonValue(u"hi"_qs) << true << QJsonObject()
                               << QByteArray(R"({"data":"hi","event":"price","json":true})") << QByteArray(R"("hi")");
    QTest::newRow("JSON object to a user") << QString() << QJsonValue(QJsonObject{{u"a"_qs, 1}}) << true
                                           << QJsonObject{{u"users"_qs, QJsonArray{u"u1"_qs}}}
                                           << QByteArray(R"({"data":{"a":1},"target":{"users":["u1"]}})")
                                           << QByteArray(R"({"a":1})");
}

void tst_PushRequest::bodyReadsBack()
{
    QFETCH(QString, event);
    QFETCH(QJsonValue, data);
    QFETCH(bool, dataIsJson);
    QFETCH(QJsonObject, target);
    QFETCH(QByteArray, wire);
    QFETCH(QByteArray, sent);
    const QJsonObject body = PushRequest::body(event, data, dataIsJson, target);
    QCOMPARE(compact(body), wire);
    const PushRequest read = PushRequest::fromJson(body);
    QVERIFY2(read.draft, qPrintable(read.error));
    QCOMPARE(read.draft->data, sent);
    QCOMPARE(read.draft->name, event.toUtf8());
    QCOMPARE(read.draft->target.isBroadcast(), target.isEmpty());
}

QTEST_GUILESS_MAIN(tst_PushRequest)
#include "tst_pushrequest.moc"
