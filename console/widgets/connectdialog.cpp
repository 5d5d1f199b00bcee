#include "connectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>

namespace {
const QString recentKey = QStringLiteral("connection/recentServers");
constexpr int maxRecent = 10;
}

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QComboBox(this))
    , m_token(new QLineEdit(this))
{
    setWindowTitle(tr("Connect to a server"));
    m_url->setObjectName(QStringLiteral("serverUrl"));
    m_url->setEditable(true);
    m_url->addItems(recentServers());
    if (m_url->count() == 0)
        m_url->setEditText(QStringLiteral("http://127.0.0.1:8081"));
    m_url->setMinimumWidth(320);
    m_token->setObjectName(QStringLiteral("adminToken"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("admin token (see the server's data dir/admin-token)"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Admin URL"), m_url);
    form->addRow(tr("&Token"), m_token);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_token->setFocus();
}

QUrl ConnectDialog::url() const
{
    return QUrl::fromUserInput(m_url->currentText().trimmed());
}

QString ConnectDialog::token() const
{
    return m_token->text().trimmed();
}

void ConnectDialog::setUrl(const QUrl &url)
{
    m_url->setEditText(url.toString());
}

QStringList ConnectDialog::recentServers()
{
    return QSettings().value(recentKey).toStringList();
}

void ConnectDialog::remember(const QUrl &url)
{
    QStringList recent = recentServers();
    recent.removeAll(url.toString());
    recent.prepend(url.toString());
    while (recent.size() > maxRecent)
        recent.removeLast();
    QSettings().setValue(recentKey, recent);
}
