#include "tableformatter.h"

#include <algorithm>

TableFormatter::TableFormatter(QStringList headers, QList<Align> alignments)
    : m_headers(std::move(headers))
    , m_alignments(std::move(alignments))
{
    while (m_alignments.size() < m_headers.size())
        m_alignments.append(Align::Left);
}

QString TableFormatter::printable(const QString &text)
{
    if (text.isEmpty())
        return QStringLiteral("-");
    QString result = text;
    for (QChar &c : result) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Separator_Line
            || c.category() == QChar::Separator_Paragraph)
            c = u'?';
    }
    return result;
}

void TableFormatter::addRow(const QStringList &cells)
{
    QStringList row;
    for (qsizetype column = 0; column < m_headers.size(); ++column)
        row.append(printable(cells.value(column)));
    m_rows.append(row);
}

QString TableFormatter::toString() const
{
    QList<qsizetype> widths;
    for (const QString &header : m_headers)
        widths.append(header.size());
    for (const QStringList &row : m_rows) {
        for (qsizetype column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row.at(column).size());
    }
    const auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype column = 0; column < cells.size(); ++column) {
            const bool last = column + 1 == cells.size();
            if (column > 0)
                text += QStringLiteral("  ");
            if (m_alignments.at(column) == Align::Right)
                text += cells.at(column).rightJustified(widths.at(column));
            else
                text += last ? cells.at(column) : cells.at(column).leftJustified(widths.at(column));
        }
        return text + u'\n';
    };
    QString text = line(m_headers);
    for (const QStringList &row : m_rows)
        text += line(row);
    return text;
}

QString TableFormatter::keyValues(const QList<std::pair<QString, QString>> &pairs)
{
    qsizetype width = 0;
    for (const auto &[key, value] : pairs)
        width = std::max(width, key.size() + 1);
    QString text;
    for (const auto &[key, value] : pairs)
        text += (key + u':').leftJustified(width) + u' ' + printable(value) + u'\n';
    return text;
}
