#include "fuzztargets.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>

// Every fuzz target over seeded mutations of its committed seeds, in every test run: the
// same bodies the libFuzzer binaries run, so an invariant broken by a change shows up here
// first. Mutations insert tokens of the target's dictionary, as libFuzzer does with -dict,
// so short runs reach deep states.
class tst_RandomInput final : public QObject
{
    Q_OBJECT

private:
    static constexpr int inputsPerTarget = 3000;

    static QDir fuzzDir() { return QDir(QStringLiteral(ESH_FUZZ_DIR)); }

    static QList<QByteArray> seeds(const QString &name)
    {
        QDir corpus = fuzzDir();
        if (!corpus.cd(QStringLiteral("corpus/") + name))
            return {};
        QList<QByteArray> out;
        for (const QString &file : corpus.entryList(QDir::Files, QDir::Name)) {
            QFile seed(corpus.filePath(file));
            if (seed.open(QIODevice::ReadOnly))
                out.append(seed.readAll());
        }
        return out;
    }

    // libFuzzer's dictionary format: one quoted token a line, optionally named (name="..."),
    // with \\, \" and \xNN escapes; # starts a comment.
    static QList<QByteArray> dictionary(const QString &name)
    {
        QFile file(fuzzDir().filePath(QStringLiteral("dictionaries/%1.dict").arg(name)));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        QList<QByteArray> tokens;
        for (const QByteArray &rawLine : file.readAll().split('\n')) {
            const QByteArray line = rawLine.trimmed();
            const qsizetype open = line.indexOf('"');
            if (line.isEmpty() || line.startsWith('#') || open < 0 || !line.endsWith('"') || open == line.size() - 1)
                continue;
            QByteArray token;
            for (qsizetype i = open + 1; i < line.size() - 1; ++i) {
                if (line.at(i) != '\\' || i + 1 >= line.size() - 1) {
                    token.append(line.at(i));
                } else if (line.at(i + 1) == 'x' && i + 3 < line.size() - 1) {
                    token.append(char(line.mid(i + 2, 2).toInt(nullptr, 16)));
                    i += 3;
                } else {
                    token.append(line.at(++i));
                }
            }
            tokens.append(token);
        }
        return tokens;
    }

    static QByteArray mutate(QRandomGenerator &random, QByteArray input, const QList<QByteArray> &tokens)
    {
        const int mutations = random.bounded(5);
        for (int i = 0; i < mutations; ++i) {
            const qsizetype at = random.bounded(int(input.size()) + 1);
            switch (random.bounded(4)) {
            case 0:
                if (!tokens.isEmpty())
                    input.insert(at, tokens.at(random.bounded(int(tokens.size()))));
                break;
            case 1:
                input.remove(at, random.bounded(1, 9));
                break;
            case 2:
                input.insert(at, char(random.bounded(256)));
                break;
            default:
                if (at < input.size())
                    input[at] = char(random.bounded(256));
                break;
            }
        }
        return input;
    }

private Q_SLOTS:
    void listsEveryTarget()
    {
        QStringList names;
        for (const FuzzTargets::Entry &target : FuzzTargets::all())
            names.append(QString::fromLatin1(target.name));
        QCOMPARE(names, QString::fromLatin1(ESH_FUZZ_TARGETS).split(u','));
    }

    void target_data()
    {
        QTest::addColumn<int>("index");
        const QList<FuzzTargets::Entry> targets = FuzzTargets::all();
        for (qsizetype i = 0; i < targets.size(); ++i)
            QTest::addRow("%s", targets.at(i).name) << int(i);
    }

    void target()
    {
        QFETCH(int, index);
        const FuzzTargets::Entry target = FuzzTargets::all().at(index);
        const QString name = QString::fromLatin1(target.name).toLower();
        const QList<QByteArray> corpus = seeds(name);
        QVERIFY2(!corpus.isEmpty(), qPrintable(QStringLiteral("no seeds in corpus/") + name));
        const QList<QByteArray> tokens = dictionary(name);
        QVERIFY2(!tokens.isEmpty(), qPrintable(QStringLiteral("no tokens in dictionaries/%1.dict").arg(name)));

        QRandomGenerator random(20261125 + quint32(index));
        int accepted = 0;
        for (int i = 0; i < inputsPerTarget; ++i) {
            const QByteArray input = mutate(random, corpus.at(random.bounded(int(corpus.size()))), tokens);
            if (target.run(reinterpret_cast<const uint8_t *>(input.constData()), size_t(input.size())))
                ++accepted;
        }
        // Both paths must be reached, or half of the invariants were never checked. The
        // corpora libFuzzer grew are mostly refusals: 1% accepted is enough to tell.
        QVERIFY2(accepted > inputsPerTarget / 100, qPrintable(QString::number(accepted)));
        QVERIFY2(accepted < inputsPerTarget, qPrintable(QString::number(accepted)));
    }
};

QTEST_GUILESS_MAIN(tst_RandomInput)
#include "tst_randominput.moc"
