#include "composerwidget.h"

#include "connectionmodel.h"
#include "controlclient.h"

#include <memory>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

ConnectionRecord record(const QString &id, const QString &session, const QString &userId, const QString &userName,
                        const QStringList &groups)
{
    ConnectionRecord r;
    r.id = id;
    r.session = session;
    r.userId = userId;
    r.userName = userName;
    r.groups = groups;
    r.connectedAt = QDateTime(QDate(2026, 3, 1), QTime(7, 0), Qt::UTC);
    return r;
}

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

// The composer, offscreen, with a client that is not connected: the form → the push request,
// JSON validation as you type, the send button following validity.
class tst_ComposerWidget final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void jsonValidation_data();
    void jsonValidation();
    void jsonErrorSaysWhere_data();
    void jsonErrorSaysWhere();
    void textModeSendsDataAsIs();
    void requestShapes_data();
    void requestShapes();
    void liveChoicesJoinFreeText();
    void recipientRequired_data();
    void recipientRequired();
    void setTargetPrefillsPicker();
    void sendWithoutConnectionShowsRefusal();

private:
    template<typename T>
    T *child(const char *name) const
    {
        T *found = m_widget->findChild<T *>(QLatin1String(name));
        if (!found)
            qWarning("no child %s", name);
        return found;
    }
    void setKind(TargetPicker::Kind kind)
    {
        auto *box = child<QComboBox>("targetKind");
        box->setCurrentIndex(box->findData(QVariant::fromValue(kind)));
    }
    QString validity() const { return child<QLabel>("jsonValidity")->text(); }
    bool sendEnabled() const { return child<QPushButton>("send")->isEnabled(); }

    std::unique_ptr<ControlClient> m_client;
    std::unique_ptr<ConnectionModel> m_connections;
    std::unique_ptr<ComposerWidget> m_widget;
};

void tst_ComposerWidget::init()
{
    m_client = std::make_unique<ControlClient>();
    m_connections = std::make_unique<ConnectionModel>();
    m_connections->resetRecords({record(u"1"_s, u"s-alice"_s, u"u1"_s, u"alice"_s, {u"Marketing"_s}),
                                 record(u"2"_s, u"s-bob"_s, u"u2"_s, u"bob"_s, {u"Engineering"_s}),
                                 record(u"3"_s, u"s-anon"_s, {}, {}, {})});
    m_widget = std::make_unique<ComposerWidget>(m_client.get(), m_connections.get());
    m_widget->resize(800, 500);
    m_widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_widget.get()));
}

void tst_ComposerWidget::cleanup()
{
    m_widget.reset();
    m_connections.reset();
    m_client.reset();
}

void tst_ComposerWidget::jsonValidation_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("expectedData"); // the "data" value, as a one-element JSON array
    QTest::addColumn<bool>("jsonFlag");

    QTest::newRow("object") << u"{\"price\": 12.5, \"tags\": [\"a\"]}"_s << true
                            << QByteArray(R"([{"price":12.5,"tags":["a"]}])") << false;
    QTest::newRow("array") << u"[1, \"two\", null]"_s << true << QByteArray(R"([[1,"two",null]])") << false;
    QTest::newRow("number") << u"42"_s << true << QByteArray("[42]") << false;
    QTest::newRow("negative fraction") << u" -0.25 "_s << true << QByteArray("[-0.25]") << false;
    QTest::newRow("string") << u"\"hello\""_s << true << QByteArray(R"(["hello"])") << true;
    QTest::newRow("true") << u"true"_s << true << QByteArray("[true]") << false;
    QTest::newRow("multi-line object") << u"{\n  \"a\": 1\n}\n"_s << true << QByteArray(R"([{"a":1}])") << false;

    QTest::newRow("missing value") << u"{\"a\": }"_s << false << QByteArray() << false;
    QTest::newRow("unquoted key") << u"{a: 1}"_s << false << QByteArray() << false;
    QTest::newRow("bare word") << u"hello"_s << false << QByteArray() << false;
    QTest::newRow("unterminated string") << u"\"abc"_s << false << QByteArray() << false;
    QTest::newRow("two values") << u"1, 2"_s << false << QByteArray() << false;
    QTest::newRow("two values, brackets") << u"1], [2"_s << false << QByteArray() << false;
    QTest::newRow("empty") << QString() << false << QByteArray() << false;
    QTest::newRow("trailing comma") << u"[1, 2,]"_s << false << QByteArray() << false;
}

void tst_ComposerWidget::jsonValidation()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QByteArray, expectedData);
    QFETCH(bool, jsonFlag);

    QTest::mouseClick(child<QCheckBox>("jsonMode"), Qt::LeftButton);
    QVERIFY(child<QCheckBox>("jsonMode")->isChecked());
    child<QPlainTextEdit>("eventData")->setPlainText(text);

    QString error;
    const std::optional<QJsonObject> body = m_widget->request(&error);
    QCOMPARE(body.has_value(), valid);
    QCOMPARE(sendEnabled(), valid);
    if (valid) {
        QCOMPARE(validity(), u"valid JSON"_s);
        QCOMPARE(QJsonArray{body->value(u"data")}, QJsonDocument::fromJson(expectedData).array());
        QCOMPARE(body->contains(u"json"), jsonFlag);
        if (jsonFlag)
            QCOMPARE(body->value(u"json"), QJsonValue(true));
    } else {
        QVERIFY(!error.isEmpty());
        QCOMPARE(validity(), error); // the reason is shown as you type
        QVERIFY(child<QLabel>("jsonValidity")->styleSheet().contains(u"color"));
    }

    // Fixing the text re-enables sending.
    child<QPlainTextEdit>("eventData")->setPlainText(u"{}"_s);
    QVERIFY(sendEnabled());
    QCOMPARE(validity(), u"valid JSON"_s);
}

void tst_ComposerWidget::jsonErrorSaysWhere_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // %1: the text's length

    const QString early = u"JSON ends too early at character %1: a value, a closing } or ] is missing"_s;
    QTest::newRow("object cut after a key") << u"{\"nb\": 5, \"type\": "_s << early;
    QTest::newRow("object cut after a comma") << u"{\"nb\": 5,"_s << early;
    QTest::newRow("array not closed") << u"[1, 2"_s << early;
    QTest::newRow("object not closed") << u"{\"a\": 1"_s << early;
    QTest::newRow("string not closed") << u"\"abc"_s << early;
    QTest::newRow("key cut inside its string") << u"{\"ty"_s << early;
    QTest::newRow("string cut after an escape") << u"\"a\\"_s << early;
    // Mistakes, not missing text: Qt's words, where it stopped.
    QTest::newRow("value missing inside") << u"{\"a\": }"_s << u"object is missing after a comma at character 7"_s;
    QTest::newRow("trailing comma") << u"[1, 2,]"_s << u"object is missing after a comma at character 7"_s;
    QTest::newRow("closing what is not open") << u"1], [2"_s << u"garbage at the end of the document at character 2"_s;
    QTest::newRow("unquoted key") << u"{a: 1}"_s << u"unterminated object at character 2"_s;
}

void tst_ComposerWidget::jsonErrorSaysWhere()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QTest::mouseClick(child<QCheckBox>("jsonMode"), Qt::LeftButton);
    child<QPlainTextEdit>("eventData")->setPlainText(text);
    QCOMPARE(validity(), expected.contains(u"%1") ? expected.arg(text.size()) : expected);
    QVERIFY(!sendEnabled());
}

void tst_ComposerWidget::textModeSendsDataAsIs()
{
    QVERIFY(!child<QCheckBox>("jsonMode")->isChecked());
    QTest::keyClicks(child<QPlainTextEdit>("eventData"), u"{not json"_s);
    QVERIFY(sendEnabled());
    QCOMPARE(validity(), QString());
    QString error;
    const std::optional<QJsonObject> body = m_widget->request(&error);
    QVERIFY2(body, qPrintable(error));
    QCOMPARE(*body, (QJsonObject{{u"data"_s, u"{not json"_s}}));

    // Switching to JSON mode validates the same text at once.
    QTest::mouseClick(child<QCheckBox>("jsonMode"), Qt::LeftButton);
    QVERIFY(!sendEnabled());
    QVERIFY(!validity().isEmpty());
}

void tst_ComposerWidget::requestShapes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<TargetPicker::Kind>("kind");
    QTest::addColumn<QString>("freeText");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("everyone, named") << u"price"_s << TargetPicker::Kind::Everyone << QString()
                                     << parse(R"({"event": "price", "data": "d"})");
    QTest::newRow("everyone, plain message") << QString() << TargetPicker::Kind::Everyone << QString()
                                             << parse(R"({"data": "d"})");
    QTest::newRow("sessions") << u"e"_s << TargetPicker::Kind::Sessions << u"s1, s2"_s
                              << parse(R"({"event": "e", "data": "d", "target": {"sessions": ["s1", "s2"]}})");
    QTest::newRow("users") << u"e"_s << TargetPicker::Kind::Users << u"bob"_s
                           << parse(R"({"event": "e", "data": "d", "target": {"users": ["bob"]}})");
    QTest::newRow("groups, ids and names") << u"e"_s << TargetPicker::Kind::Groups << u"Marketing,g2"_s
                                           << parse(R"({"event": "e", "data": "d", "target": {"groups": ["Marketing", "g2"]}})");
    QTest::newRow("free text trimmed, blanks and repeats dropped")
        << u"e"_s << TargetPicker::Kind::Users << u" a ,, b , a,"_s
        << parse(R"({"event": "e", "data": "d", "target": {"users": ["a", "b"]}})");
}

void tst_ComposerWidget::requestShapes()
{
    QFETCH(QString, name);
    QFETCH(TargetPicker::Kind, kind);
    QFETCH(QString, freeText);
    QFETCH(QJsonObject, expected);

    QTest::keyClicks(child<QLineEdit>("eventName"), name);
    QTest::keyClicks(child<QPlainTextEdit>("eventData"), u"d"_s);
    setKind(kind);
    QTest::keyClicks(child<QLineEdit>("targetFree"), freeText);
    QString error;
    const std::optional<QJsonObject> body = m_widget->request(&error);
    QVERIFY2(body, qPrintable(error));
    QCOMPARE(*body, expected);
    QVERIFY(sendEnabled());
}

void tst_ComposerWidget::liveChoicesJoinFreeText()
{
    setKind(TargetPicker::Kind::Users);
    auto *choices = child<QListView>("targetChoices");
    QVERIFY(choices->isEnabled());
    QAbstractItemModel *model = choices->model();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->index(0, 0).data().toString(), u"alice"_s);
    QCOMPARE(model->index(1, 0).data().toString(), u"bob"_s);
    choices->selectionModel()->select(model->index(1, 0), QItemSelectionModel::Select);
    QTest::keyClicks(child<QLineEdit>("targetFree"), u"carol, bob"_s);
    QString error;
    const std::optional<QJsonObject> body = m_widget->request(&error);
    QVERIFY2(body, qPrintable(error));
    QCOMPARE(body->value(u"target").toObject(), parse(R"({"users": ["bob", "carol"]})"));

    setKind(TargetPicker::Kind::Groups);
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->index(0, 0).data().toString(), u"Engineering"_s);
    setKind(TargetPicker::Kind::Everyone);
    QVERIFY(!choices->isEnabled());
    QVERIFY(!child<QLineEdit>("targetFree")->isEnabled());
}

void tst_ComposerWidget::recipientRequired_data()
{
    QTest::addColumn<TargetPicker::Kind>("kind");
    QTest::addColumn<QString>("freeText");

    QTest::newRow("sessions") << TargetPicker::Kind::Sessions << QString();
    QTest::newRow("users") << TargetPicker::Kind::Users << QString();
    QTest::newRow("groups") << TargetPicker::Kind::Groups << QString();
    QTest::newRow("groups, only commas and blanks") << TargetPicker::Kind::Groups << u" , ,"_s;
}

void tst_ComposerWidget::recipientRequired()
{
    QFETCH(TargetPicker::Kind, kind);
    QFETCH(QString, freeText);

    QTest::keyClicks(child<QPlainTextEdit>("eventData"), u"d"_s);
    QVERIFY(sendEnabled());
    setKind(kind);
    QTest::keyClicks(child<QLineEdit>("targetFree"), freeText);
    QString error;
    QVERIFY(!m_widget->request(&error));
    QCOMPARE(error, u"choose at least one recipient"_s);
    QCOMPARE(validity(), error);
    QVERIFY(!sendEnabled());

    QTest::keyClicks(child<QLineEdit>("targetFree"), u"x"_s);
    QVERIFY(sendEnabled());
}

void tst_ComposerWidget::setTargetPrefillsPicker()
{
    m_widget->setTarget(TargetPicker::Kind::Groups, {u"Marketing"_s, u"g9"_s});
    QCOMPARE(child<QComboBox>("targetKind")->currentData().value<TargetPicker::Kind>(), TargetPicker::Kind::Groups);
    // A live group is selected among the choices; only the unknown one is left as text.
    auto *choices = child<QListView>("targetChoices");
    QStringList selected;
    for (const QModelIndex &index : choices->selectionModel()->selectedIndexes())
        selected.append(index.data().toString());
    QCOMPARE(selected, QStringList{u"Marketing"_s});
    QCOMPARE(child<QLineEdit>("targetFree")->text(), u"g9"_s);
    QString error;
    const std::optional<QJsonObject> body = m_widget->request(&error);
    QVERIFY2(body, qPrintable(error));
    QCOMPARE(body->value(u"target").toObject(), parse(R"({"groups": ["Marketing", "g9"]})"));
}

void tst_ComposerWidget::sendWithoutConnectionShowsRefusal()
{
    QTest::keyClicks(child<QPlainTextEdit>("eventData"), u"d"_s);
    QTest::mouseClick(child<QPushButton>("send"), Qt::LeftButton);
    QCOMPARE(child<QLabel>("answer")->text(), u"refused: not connected"_s);
    QCOMPARE(child<QListView>("sentHistory")->model()->rowCount(), 0);
}

QTEST_MAIN(tst_ComposerWidget)
#include "tst_composerwidget.moc"
