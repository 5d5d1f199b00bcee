#include "eventplayer.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

namespace {

QList<RecordedEvent> recording(const QList<qint64> &at)
{
    QList<RecordedEvent> events;
    for (qsizetype i = 0; i < at.size(); ++i)
        events.append({at[i], QStringLiteral("old-%1").arg(i), i % 2 ? QString() : QStringLiteral("tick"),
                       QString::number(i)});
    return events;
}

} // namespace

// The player with a fake publisher: spacing (never shorter than recorded / speed), order
// held while answers are slow, a refusal stops it, loop starts over; and the file format.
class tst_EventPlayer final : public QObject
{
    Q_OBJECT

private slots:
    void keepsTheSpacing();
    void waitsForEachAnswer();
    void refusalStops();
    void loopStartsOver();
    void linesReadBack();
    void badLinesNamed_data();
    void badLinesNamed();
};

void tst_EventPlayer::keepsTheSpacing()
{
    QElapsedTimer clock;
    QList<qint64> sentAt;
    QList<QJsonObject> bodies;
    EventPlayer player(recording({1000, 1100, 1300}), {2.0, false},
                       [&](const QJsonObject &body, EventPlayer::Answer done) {
                           sentAt.append(clock.elapsed());
                           bodies.append(body);
                           done({{QStringLiteral("id"), QStringLiteral("new")}}, {});
                       });
    QSignalSpy finished(&player, &EventPlayer::finished);
    clock.start();
    player.start();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().first().toLongLong(), 3);
    QCOMPARE(sentAt.size(), 3);
    // Recorded 100 and 200 ms apart, at twice the speed: at least 50 and 100 ms apart.
    QVERIFY2(sentAt[1] - sentAt[0] >= 50 && sentAt[2] - sentAt[1] >= 100,
             qPrintable(QStringLiteral("%1 %2 %3").arg(sentAt[0]).arg(sentAt[1]).arg(sentAt[2])));
    QCOMPARE(bodies[0], (QJsonObject{{QStringLiteral("event"), QStringLiteral("tick")}, {QStringLiteral("data"), QStringLiteral("0")}}));
    QCOMPARE(bodies[1], (QJsonObject{{QStringLiteral("data"), QStringLiteral("1")}}));
}

void tst_EventPlayer::waitsForEachAnswer()
{
    QList<EventPlayer::Answer> pending;
    EventPlayer player(recording({0, 0, 0}), {}, [&](const QJsonObject &, EventPlayer::Answer done) {
        pending.append(std::move(done));
    });
    QSignalSpy published(&player, &EventPlayer::published);
    player.start();
    QTRY_COMPARE(pending.size(), 1);
    QTest::qWait(20);
    QCOMPARE(pending.size(), 1); // not the second before the first is answered
    pending.takeFirst()({}, {});
    QTRY_COMPARE(pending.size(), 1);
    QCOMPARE(published.count(), 1);
}

void tst_EventPlayer::refusalStops()
{
    int sent = 0;
    EventPlayer player(recording({0, 0, 0}), {}, [&](const QJsonObject &, EventPlayer::Answer done) {
        ++sent;
        done({}, sent == 2 ? QStringLiteral("HTTP 503") : QString());
    });
    QSignalSpy failed(&player, &EventPlayer::failed);
    QSignalSpy finished(&player, &EventPlayer::finished);
    player.start();
    QVERIFY(failed.wait(5000));
    QCOMPARE(failed.first().at(0).toLongLong(), 1);
    QCOMPARE(failed.first().at(1).toString(), QStringLiteral("HTTP 503"));
    QTest::qWait(20);
    QCOMPARE(sent, 2);
    QCOMPARE(finished.count(), 0);
}

void tst_EventPlayer::loopStartsOver()
{
    QStringList data;
    EventPlayer *player = nullptr;
    EventPlayer looping(recording({0, 10}), {1.0, true}, [&](const QJsonObject &body, EventPlayer::Answer done) {
        data.append(body.value(QStringLiteral("data")).toString());
        if (data.size() == 5)
            player->stop();
        done({}, {});
    });
    player = &looping;
    QSignalSpy finished(&looping, &EventPlayer::finished);
    looping.start();
    QTRY_COMPARE(data.size(), 5);
    QTest::qWait(30);
    QCOMPARE(data, (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("1"),
                                QStringLiteral("0")}));
    QCOMPARE(finished.count(), 0);
}

void tst_EventPlayer::linesReadBack()
{
    const QList<RecordedEvent> events = recording({0, 5, 5});
    QByteArray file;
    for (const RecordedEvent &event : events)
        file += event.toLine();
    QCOMPARE(file.count('\n'), 3);
    QBuffer buffer(&file);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    QString error;
    const std::optional<QList<RecordedEvent>> read = RecordedEvent::readAll(&buffer, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->size(), 3);
    for (qsizetype i = 0; i < 3; ++i) {
        QCOMPARE(read->at(i).atMs, events[i].atMs);
        QCOMPARE(read->at(i).id, events[i].id);
        QCOMPARE(read->at(i).event, events[i].event);
        QCOMPARE(read->at(i).data, events[i].data);
    }
}

void tst_EventPlayer::badLinesNamed_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("error");
    QTest::newRow("array") << QByteArray("[1]\n") << QStringLiteral("line 1: not a JSON object");
    QTest::newRow("fractional at") << QByteArray("{\"at\": 1.5, \"data\": \"\"}\n") << QStringLiteral("line 1: \"at\"");
    QTest::newRow("event number") << QByteArray("\n{\"at\": 1, \"event\": 3, \"data\": \"\"}\n")
                                  << QStringLiteral("line 2: \"event\"");
}

void tst_EventPlayer::badLinesNamed()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, error);
    QBuffer buffer(&file);
    QVERIFY(buffer.open(QIODevice::ReadOnly));
    QString why;
    QVERIFY(!RecordedEvent::readAll(&buffer, &why));
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

QTEST_GUILESS_MAIN(tst_EventPlayer)
#include "tst_eventplayer.moc"
