#include "ratechart.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

RateChart::RateChart(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("rateChart"));
    setMinimumHeight(160);
}

void RateChart::addSample(double connections, double eventsPerSecond)
{
    m_samples.push_back({connections, eventsPerSecond});
    while (m_samples.size() > maxSamples)
        m_samples.pop_front();
    update();
}

void RateChart::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QRectF area = QRectF(rect()).adjusted(48, 24, -48, -20);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(area);
    if (m_samples.empty()) {
        painter.drawText(area, Qt::AlignCenter, tr("waiting for statistics…"));
        return;
    }
    const struct Series {
        double Sample::*field;
        QColor colour;
        QString name;
        bool right;
    } series[] = {{&Sample::connections, QColor(0x1f, 0x77, 0xb4), tr("connections"), false},
                  {&Sample::eventsPerSecond, QColor(0xd6, 0x27, 0x28), tr("events/s"), true}};
    const double step = area.width() / double(maxSamples - 1);
    for (const Series &s : series) {
        double top = 1;
        for (const Sample &sample : m_samples)
            top = std::max(top, sample.*(s.field));
        top *= 1.1;
        QPainterPath path;
        for (size_t i = 0; i < m_samples.size(); ++i) {
            const double x = area.right() - double(m_samples.size() - 1 - i) * step;
            const double y = area.bottom() - (m_samples[i].*(s.field) / top) * area.height();
            if (i == 0)
                path.moveTo(x, y);
            else
                path.lineTo(x, y);
        }
        painter.setPen(QPen(s.colour, 2));
        painter.drawPath(path);
        const QString label = QStringLiteral("%1 %2").arg(s.name).arg(m_samples.back().*(s.field), 0, 'f', 0);
        const QRectF labelArea(s.right ? area.right() - 200 : area.left(), 2, 200, 20);
        painter.drawText(labelArea, (s.right ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, label);
        painter.drawText(QRectF(s.right ? area.right() + 4 : 0, area.top() - 8, 44, 16),
                         (s.right ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter,
                         QString::number(top, 'f', 0));
    }
    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 18), Qt::AlignCenter,
                     tr("last %1 s").arg(m_samples.size()));
}
