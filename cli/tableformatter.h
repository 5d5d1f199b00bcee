#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

// Plain-text tables for a terminal: columns padded to their widest cell and separated by
// two spaces, no trailing blanks. Cells are made printable (control characters become '?')
// since names come from tokens and user directories, and empty cells show as "-".
class TableFormatter final
{
public:
    enum class Align { Left, Right };

    explicit TableFormatter(QStringList headers, QList<Align> alignments = {});

    void addRow(const QStringList &cells);
    qsizetype rowCount() const { return m_rows.size(); }
    // The header line and every row, each ended by a newline.
    QString toString() const;

    // "key: value" lines with the values in one column.
    static QString keyValues(const QList<std::pair<QString, QString>> &pairs);
    static QString printable(const QString &text);

private:
    QStringList m_headers;
    QList<Align> m_alignments;
    QList<QStringList> m_rows;
};
