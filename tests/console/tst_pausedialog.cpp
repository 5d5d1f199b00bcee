#include "pausedialog.h"

#include "connectionmodel.h"
#include "englishplurals.h"

#include <memory>

#include <QAbstractButton>
#include <QApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace {

// "id:session:userId:userName:group=groupId,group=groupId"
ConnectionRecord makeRecord(const QString &spec)
{
    const QStringList fields = spec.split(u':');
    ConnectionRecord record;
    record.id = fields.value(0);
    record.session = fields.value(1);
    record.userId = fields.value(2);
    record.userName = fields.value(3);
    for (const QString &group : fields.value(4).split(u',', Qt::SkipEmptyParts)) {
        record.groups.append(group.section(u'=', 0, 0));
        record.groupIds.append(group.section(u'=', 1, 1));
    }
    record.connectedAt = QDateTime(QDate(2026, 3, 1), QTime(7, 0), Qt::UTC);
    return record;
}

const QStringList specs{
    u"1:s1:u1:alice:Marketing=g1"_s,
    u"2:s2:u1:alice:Marketing=g1"_s,
    u"3:s3:u2:bob:Engineering=g2"_s,
    u"4:s4:u3:carol:Marketing=g1,Engineering=g2"_s,
    u"5:s5:::"_s,                 // anonymous, no group
    u"6:s6:u4::Support=g3"_s,     // a user without a name
};

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

// The pause dialog over a ConnectionModel filled by hand: how many live streams a pause
// would reach, the request it sends, and the confirmation before it does.
class tst_PauseDialog final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void affectedStreams_data();
    void affectedStreams();
    void affectedLabelFollowsConnections();
    void request_data();
    void request();
    void confirmationSaysHowMany_data();
    void confirmationSaysHowMany();

private:
    void fill(TargetPicker::Kind kind, const QStringList &values, const QString &except, int delay);

    std::unique_ptr<ConnectionModel> m_connections;
    std::unique_ptr<PauseDialog> m_dialog;
};

void tst_PauseDialog::initTestCase()
{
    EnglishPlurals::install(QCoreApplication::instance());
}

void tst_PauseDialog::init()
{
    m_connections = std::make_unique<ConnectionModel>();
    QList<ConnectionRecord> records;
    for (const QString &spec : specs)
        records.append(makeRecord(spec));
    m_connections->resetRecords(records);
    m_dialog = std::make_unique<PauseDialog>(m_connections.get());
}

void tst_PauseDialog::cleanup()
{
    m_dialog.reset();
    m_connections.reset();
}

void tst_PauseDialog::fill(TargetPicker::Kind kind, const QStringList &values, const QString &except, int delay)
{
    m_dialog->setTarget(kind, values);
    auto *exceptEdit = m_dialog->findChild<QLineEdit *>(u"exceptGroups"_s);
    QVERIFY(exceptEdit);
    QTest::keyClicks(exceptEdit, except);
    auto *delayBox = m_dialog->findChild<QSpinBox *>(u"delay"_s);
    QVERIFY(delayBox);
    if (delay >= 0)
        delayBox->setValue(delay);
}

void tst_PauseDialog::affectedStreams_data()
{
    QTest::addColumn<TargetPicker::Kind>("kind");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("except");
    QTest::addColumn<int>("expected");

    using K = TargetPicker::Kind;
    QTest::newRow("everyone") << K::Everyone << QStringList() << QString() << 6;
    QTest::newRow("one session") << K::Sessions << QStringList{u"s1"_s} << QString() << 1;
    QTest::newRow("two sessions") << K::Sessions << QStringList{u"s1"_s, u"s3"_s} << QString() << 2;
    QTest::newRow("unknown session") << K::Sessions << QStringList{u"zz"_s} << QString() << 0;
    QTest::newRow("user by id") << K::Users << QStringList{u"u1"_s} << QString() << 2;
    QTest::newRow("user by name") << K::Users << QStringList{u"bob"_s} << QString() << 1;
    QTest::newRow("users by id and name") << K::Users << QStringList{u"alice"_s, u"u2"_s} << QString() << 3;
    QTest::newRow("user without a name, by id") << K::Users << QStringList{u"u4"_s} << QString() << 1;
    QTest::newRow("group name is no user") << K::Users << QStringList{u"Marketing"_s} << QString() << 0;
    QTest::newRow("group by name") << K::Groups << QStringList{u"Marketing"_s} << QString() << 3;
    QTest::newRow("group by id") << K::Groups << QStringList{u"g2"_s} << QString() << 2;
    QTest::newRow("two groups, member of both once") << K::Groups << QStringList{u"Marketing"_s, u"g2"_s} << QString() << 4;
    QTest::newRow("user name is no group") << K::Groups << QStringList{u"alice"_s} << QString() << 0;
    QTest::newRow("everyone except group by name") << K::Everyone << QStringList() << u"Engineering"_s << 4;
    QTest::newRow("everyone except group by id") << K::Everyone << QStringList() << u"g1"_s << 3;
    QTest::newRow("everyone except two groups") << K::Everyone << QStringList() << u" Marketing , g2 "_s << 2;
    QTest::newRow("group except another") << K::Groups << QStringList{u"Marketing"_s} << u"Engineering"_s << 2;
    QTest::newRow("user except own group") << K::Users << QStringList{u"alice"_s} << u"g1"_s << 0;
    QTest::newRow("sessions except a group") << K::Sessions << QStringList{u"s3"_s, u"s5"_s} << u"Engineering"_s << 1;
}

void tst_PauseDialog::affectedStreams()
{
    QFETCH(TargetPicker::Kind, kind);
    QFETCH(QStringList, values);
    QFETCH(QString, except);
    QFETCH(int, expected);
    fill(kind, values, except, -1);
    QCOMPARE(m_dialog->affectedStreams(), expected);
    QCOMPARE(m_dialog->findChild<QLabel *>(u"affected"_s)->text(),
             expected == 1 ? u"1 live stream will be paused"_s : u"%1 live streams will be paused"_s.arg(expected));
}

void tst_PauseDialog::affectedLabelFollowsConnections()
{
    // The dialog stays open while streams come and go: the count it shows must follow.
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
    QCOMPARE(m_dialog->affectedStreams(), 6);
    m_connections->appendRecords({makeRecord(u"7:s7:u9:erin:"_s)});
    QCOMPARE(m_dialog->affectedStreams(), 7);
    QTRY_COMPARE_WITH_TIMEOUT(m_dialog->findChild<QLabel *>(u"affected"_s)->text(),
                              u"7 live streams will be paused"_s, 2000);
}

void tst_PauseDialog::request_data()
{
    QTest::addColumn<TargetPicker::Kind>("kind");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("except");
    QTest::addColumn<int>("delay"); // -1: the default
    QTest::addColumn<QJsonObject>("expected");

    using K = TargetPicker::Kind;
    QTest::newRow("defaults") << K::Everyone << QStringList() << QString() << -1 << parse(R"({"delay": 30000})");
    QTest::newRow("zero delay") << K::Everyone << QStringList() << QString() << 0 << parse(R"({"delay": 0})");
    QTest::newRow("sessions") << K::Sessions << QStringList{u"s1"_s, u"s2"_s} << QString() << 5000
                              << parse(R"({"delay": 5000, "target": {"sessions": ["s1", "s2"]}})");
    QTest::newRow("users") << K::Users << QStringList{u"bob"_s} << QString() << 1000
                           << parse(R"({"delay": 1000, "target": {"users": ["bob"]}})");
    QTest::newRow("groups except groups") << K::Groups << QStringList{u"Marketing"_s} << u"Engineering, g3"_s << 2000
                                          << parse(R"({"delay": 2000, "target": {"groups": ["Marketing"]},
                                                       "exceptGroups": ["Engineering", "g3"]})");
    QTest::newRow("everyone except, blanks dropped") << K::Everyone << QStringList() << u" a , ,b "_s << 1
                                                     << parse(R"({"delay": 1, "exceptGroups": ["a", "b"]})");
    QTest::newRow("longest delay") << K::Everyone << QStringList() << QString() << 86400000
                                   << parse(R"({"delay": 86400000})");
}

void tst_PauseDialog::request()
{
    QFETCH(TargetPicker::Kind, kind);
    QFETCH(QStringList, values);
    QFETCH(QString, except);
    QFETCH(int, delay);
    QFETCH(QJsonObject, expected);
    fill(kind, values, except, delay);
    QCOMPARE(m_dialog->request(), expected);
}

void tst_PauseDialog::confirmationSaysHowMany_data()
{
    QTest::addColumn<int>("answer"); // QMessageBox::StandardButton
    QTest::addColumn<bool>("accepted");
    QTest::newRow("yes pauses") << int(QMessageBox::Yes) << true;
    QTest::newRow("no keeps the dialog") << int(QMessageBox::No) << false;
}

void tst_PauseDialog::confirmationSaysHowMany()
{
    QFETCH(int, answer);
    QFETCH(bool, accepted);
    fill(TargetPicker::Kind::Groups, {u"Marketing"_s}, QString(), 5000);
    m_dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
    QSignalSpy acceptedSpy(m_dialog.get(), &QDialog::accepted);

    // The question runs its own event loop: answer it from a timer.
    QString question;
    QTimer answerer;
    answerer.setInterval(10);
    connect(&answerer, &QTimer::timeout, this, [&] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
            answerer.stop();
            question = box->text();
            box->button(QMessageBox::StandardButton(answer))->click();
        }
    });
    answerer.start();
    auto *pause = m_dialog->findChild<QPushButton *>(u"pause"_s);
    QVERIFY(pause);
    QTest::mouseClick(pause, Qt::LeftButton);
    answerer.stop();

    QVERIFY2(question.startsWith(u"Pause 3 streams?"_s), qPrintable(question));
    QVERIFY2(question.contains(u"\"retry: 5000\""_s), qPrintable(question));
    QCOMPARE(acceptedSpy.count(), accepted ? 1 : 0);
    QCOMPARE(m_dialog->isVisible(), !accepted);
}

QTEST_MAIN(tst_PauseDialog)
#include "tst_pausedialog.moc"
