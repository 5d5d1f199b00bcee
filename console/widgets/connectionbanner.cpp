#include "connectionbanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_button(new QPushButton(this))
{
    setObjectName(QStringLiteral("connectionBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette colours = palette();
    colours.setColor(QPalette::Window, QColor(0xfd, 0xec, 0xc8));
    colours.setColor(QPalette::WindowText, QColor(0x5c, 0x3b, 0x00));
    setPalette(colours);
    m_text->setObjectName(QStringLiteral("bannerText"));
    m_text->setWordWrap(true);
    m_button->setObjectName(QStringLiteral("bannerAction"));
    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_button);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_action == Action::Retry)
            Q_EMIT retryRequested();
        else
            Q_EMIT connectRequested();
    });
    showProblem({}, Action::Connect);
}

void ConnectionBanner::showProblem(const QString &text, Action action)
{
    m_text->setText(text);
    m_action = action;
    m_button->setText(action == Action::Retry ? tr("Retr&y now") : tr("Connect…"));
}

QString ConnectionBanner::text() const
{
    return m_text->text();
}
