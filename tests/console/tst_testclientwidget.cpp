#include "testclientwidget.h"

#include "adminapi.h"
#include "englishplurals.h"
#include "receivedeventmodel.h"
#include "serverprocess.h"

#include <memory>

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

// The Test client tab, offscreen, against the real server: fields → stream URL and options,
// events in the table, bytes in the raw pane, state and counts in the status line.
class tst_TestClientWidget final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void baseUrlSetterSplitsPath();
    void streamUrlFromFields_data();
    void streamUrlFromFields();
    void tabOrderFollowsTheForm();
    void showsReceivedEvents();
    void resumesFromLastEventIdField();
    void showsRefusal();

private:
    template<typename T>
    T *child(const char *name)
    {
        T *found = m_widget->findChild<T *>(QLatin1String(name));
        if (!found)
            qWarning("no child %s", name);
        return found;
    }
    void setText(const char *field, const QString &text)
    {
        QLineEdit *edit = child<QLineEdit>(field);
        QVERIFY(edit);
        edit->clear();
        QTest::keyClicks(edit, text);
        QCOMPARE(edit->text(), text);
    }
    QUrl publicUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1/eventsource").arg(m_server.publicPort()));
    }

    ServerProcess m_server;
    std::unique_ptr<TestClientWidget> m_widget;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_TestClientWidget::initTestCase()
{
    EnglishPlurals::install(QCoreApplication::instance());
    QVERIFY2(m_server.start({QStringLiteral("--retry-ms"), QStringLiteral("300")}), m_server.output().constData());
}

void tst_TestClientWidget::init()
{
    m_widget = std::make_unique<TestClientWidget>();
    m_tester = std::make_unique<QAbstractItemModelTester>(m_widget->model(),
                                                          QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_widget->resize(900, 600);
    m_widget->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_widget.get()));
}

void tst_TestClientWidget::cleanup()
{
    m_tester.reset();
    m_widget.reset();
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));
}

void tst_TestClientWidget::baseUrlSetterSplitsPath()
{
    m_widget->setBaseUrl(QUrl(QStringLiteral("http://example.test:8080/streams/sse")));
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->text(), QStringLiteral("http://example.test:8080"));
    QCOMPARE(child<QLineEdit>("pathEdit")->text(), QStringLiteral("/streams/sse"));
    m_widget->setBaseUrl(QUrl(QStringLiteral("http://other.test:9000")));
    QCOMPARE(child<QLineEdit>("baseUrlEdit")->text(), QStringLiteral("http://other.test:9000"));
    QCOMPARE(child<QLineEdit>("pathEdit")->text(), QStringLiteral("/streams/sse")); // kept
}

void tst_TestClientWidget::streamUrlFromFields_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("expected");

    QTest::newRow("no filter") << QStringLiteral("/eventsource") << QString()
                               << QStringLiteral("http://h.test:8080/eventsource");
    QTest::newRow("names trimmed and comma-joined") << QStringLiteral("/eventsource") << QStringLiteral(" a , b,,c ")
                                                    << QStringLiteral("http://h.test:8080/eventsource/a,b,c");
    QTest::newRow("path without slash") << QStringLiteral("eventsource") << QStringLiteral("x")
                                        << QStringLiteral("http://h.test:8080/eventsource/x");
    QTest::newRow("path ending in slash") << QStringLiteral("/sse/") << QStringLiteral("x")
                                          << QStringLiteral("http://h.test:8080/sse/x");
}

void tst_TestClientWidget::streamUrlFromFields()
{
    QFETCH(QString, path);
    QFETCH(QString, events);
    QFETCH(QString, expected);
    setText("baseUrlEdit", QStringLiteral("http://h.test:8080"));
    setText("pathEdit", path);
    setText("eventFilterEdit", events);
    QCOMPARE(m_widget->streamUrl(), QUrl(expected));
}

void tst_TestClientWidget::tabOrderFollowsTheForm()
{
    const QStringList expected{QStringLiteral("baseUrlEdit"),       QStringLiteral("pathEdit"),
                               QStringLiteral("eventFilterEdit"),   QStringLiteral("tokenEdit"),
                               QStringLiteral("loginUserEdit"),     QStringLiteral("loginPasswordEdit"),
                               QStringLiteral("lastEventIdEdit"),   QStringLiteral("reconnectCheck"),
                               QStringLiteral("openButton"),        QStringLiteral("clearButton"),
                               QStringLiteral("receivedEventsView"), QStringLiteral("rawView")};
    // The close button is disabled while nothing is open, so focus skips it.
    QVERIFY(!child<QPushButton>("closeButton")->isEnabled());
    QWidget *first = child<QWidget>("baseUrlEdit");
    first->setFocus();
    QTRY_COMPARE(QApplication::focusWidget(), first);
    QStringList visited{first->objectName()};
    for (int i = 1; i < expected.size(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        visited.append(QApplication::focusWidget() ? QApplication::focusWidget()->objectName() : QString());
    }
    QCOMPARE(visited, expected);
}

void tst_TestClientWidget::showsReceivedEvents()
{
    m_widget->setBaseUrl(publicUrl());
    setText("eventFilterEdit", QStringLiteral("greeting, other"));
    QVERIFY(child<QCheckBox>("reconnectCheck")->isChecked());
    QTest::mouseClick(child<QPushButton>("openButton"), Qt::LeftButton);

    QLabel *status = child<QLabel>("statusLabel");
    QTRY_VERIFY2(status->text().startsWith(QStringLiteral("Open")), qPrintable(status->text()));
    QTRY_VERIFY(child<QPlainTextEdit>("rawView")->toPlainText().contains(QStringLiteral("retry: 300")));
    QVERIFY(child<QPushButton>("closeButton")->isEnabled());

    QCOMPARE(AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("ignored"), QStringLiteral("no")).status, 200);
    const AdminApi::Pushed pushed =
        AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("greeting"), QStringLiteral("hello\nwidget"));
    QCOMPARE(pushed.status, 200);

    const QAbstractItemModel *model = child<QTableView>("receivedEventsView")->model();
    QCOMPARE(model, m_widget->model());
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, ReceivedEventModel::Id).data().toString(), pushed.id);
    QCOMPARE(model->index(0, ReceivedEventModel::Type).data().toString(), QStringLiteral("greeting"));
    QCOMPARE(model->index(0, ReceivedEventModel::Data).data(ReceivedEventModel::SortRole).toString(),
             QStringLiteral("hello\nwidget"));

    const QString raw = child<QPlainTextEdit>("rawView")->toPlainText();
    QVERIFY2(raw.contains(QStringLiteral("id: %1\nevent: greeting\ndata: hello\ndata: widget\n").arg(pushed.id)),
             qPrintable(raw));
    QVERIFY(!raw.contains(QStringLiteral("event: ignored")));
    QVERIFY2(status->text().contains(QStringLiteral(" · 1 event · ")), qPrintable(status->text()));
    QVERIFY2(status->text().contains(QStringLiteral(" · 1 connection · ")), qPrintable(status->text()));
    QVERIFY2(status->text().contains(pushed.id), qPrintable(status->text()));

    QTest::mouseClick(child<QPushButton>("closeButton"), Qt::LeftButton);
    QVERIFY2(status->text().startsWith(QStringLiteral("Closed")), qPrintable(status->text()));
    QVERIFY(!child<QPushButton>("closeButton")->isEnabled());
    QVERIFY(AdminApi::waitForConnections(m_server.adminPort(), 0));

    QTest::mouseClick(child<QPushButton>("clearButton"), Qt::LeftButton);
    QCOMPARE(model->rowCount(), 0);
    QVERIFY(child<QPlainTextEdit>("rawView")->toPlainText().isEmpty());
    QVERIFY2(status->text().contains(QStringLiteral("0 events")), qPrintable(status->text()));
}

void tst_TestClientWidget::resumesFromLastEventIdField()
{
    const AdminApi::Pushed seen = AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("r"), QStringLiteral("seen"));
    const AdminApi::Pushed missed =
        AdminApi::pushNamed(m_server.adminPort(), QStringLiteral("r"), QStringLiteral("missed"));
    QCOMPARE(missed.status, 200);
    m_widget->setBaseUrl(publicUrl());
    setText("eventFilterEdit", QStringLiteral("r"));
    setText("lastEventIdEdit", seen.id);
    QTest::keyClick(child<QLineEdit>("lastEventIdEdit"), Qt::Key_Return); // Return opens too

    QTRY_COMPARE(m_widget->model()->rowCount(), 1);
    QCOMPARE(m_widget->model()->message(0), (SseMessage{QStringLiteral("r"), QStringLiteral("missed"), missed.id}));
}

void tst_TestClientWidget::showsRefusal()
{
    m_widget->setBaseUrl(publicUrl());
    setText("tokenEdit", QStringLiteral("not-a-token"));
    QTest::mouseClick(child<QPushButton>("openButton"), Qt::LeftButton);

    QLabel *status = child<QLabel>("statusLabel");
    QTRY_VERIFY2(status->text().startsWith(QStringLiteral("Failed: HTTP 401")), qPrintable(status->text()));
    const QString raw = child<QPlainTextEdit>("rawView")->toPlainText();
    QVERIFY2(raw.contains(QStringLiteral("HTTP 401")) && raw.contains(QStringLiteral("\"error\"")), qPrintable(raw));
    QVERIFY(!child<QPushButton>("closeButton")->isEnabled());
    QCOMPARE(m_widget->model()->rowCount(), 0);
}

QTEST_MAIN(tst_TestClientWidget)
#include "tst_testclientwidget.moc"
