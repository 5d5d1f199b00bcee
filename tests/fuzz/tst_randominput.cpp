#include "fuzztargets.h"

#include <QRandomGenerator>
#include <QTest>

// The fuzz bodies over seeded random inputs, in every test run. Inputs are built from
// fragments that matter to the parsers (line breaks, colons, BOM, field names, JSON
// punctuation) so that short runs reach deep states.
class tst_RandomInput final : public QObject
{
    Q_OBJECT

private:
    static QByteArray randomInput(QRandomGenerator &random, const QList<QByteArray> &fragments)
    {
        QByteArray out;
        const int parts = random.bounded(1, 40);
        for (int i = 0; i < parts; ++i) {
            if (random.bounded(4) == 0)
                out.append(char(random.bounded(256)));
            else
                out.append(fragments.at(random.bounded(int(fragments.size()))));
        }
        return out;
    }

private Q_SLOTS:
    void sseParser()
    {
        const QList<QByteArray> fragments{"data", "event", "id", "retry", ":", ": ", "\n", "\r",
                                          "\r\n", "\xEF\xBB\xBF", "x", "1234", QByteArray(1, '\0'),
                                          "\xE2\x82", "\xF0\x9F\x98\x80", " "};
        QRandomGenerator random(20261125);
        for (int i = 0; i < 20000; ++i) {
            const QByteArray input = randomInput(random, fragments);
            FuzzTargets::sseParser(reinterpret_cast<const uint8_t *>(input.constData()), size_t(input.size()));
        }
    }

    void pushRequest()
    {
        const QList<QByteArray> fragments{"{", "}", "[", "]", ",", ":", "\"event\"", "\"data\"",
                                          "\"json\"", "\"target\"", "\"users\"", "true", "null",
                                          "\"a\\nb\"", "\"\\r\\n\"", "\"\\u0000\"", "1.5", "7", "\"x\""};
        QRandomGenerator random(42);
        int accepted = 0;
        for (int i = 0; i < 20000; ++i) {
            QByteArray input = randomInput(random, fragments);
            if (random.bounded(2))
                input = "{\"data\":" + input + "}";
            if (FuzzTargets::pushRequest(reinterpret_cast<const uint8_t *>(input.constData()), size_t(input.size())))
                ++accepted;
        }
        // The generator must reach the accepting path, or the invariants were never checked.
        QVERIFY2(accepted > 100, qPrintable(QString::number(accepted)));
    }
};

QTEST_GUILESS_MAIN(tst_RandomInput)
#include "tst_randominput.moc"
