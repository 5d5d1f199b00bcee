#include "connectdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QSettings>

Q_LOGGING_CATEGORY(lcConnectDialog, "eventsource.console.connect")

namespace {
const QString recentKey = QStringLiteral("connection/recentServers");
constexpr int maxRecent = 10;
}

ConnectDialog::ConnectDialog(ControlClient *client, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_url(new QComboBox(this))
    , m_token(new QLineEdit(this))
    , m_problem(new QLabel(this))
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
    m_problem->setObjectName(QStringLiteral("connectProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_connect = buttons->button(QDialogButtonBox::Ok);
    m_connect->setText(tr("&Connect"));
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Admin URL"), m_url);
    form->addRow(tr("&Token"), m_token);
    form->addRow(m_problem);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_client, &ControlClient::stateChanged, this, &ConnectDialog::handleState);
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

void ConnectDialog::setToken(const QString &token)
{
    m_token->setText(token);
}

QString ConnectDialog::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void ConnectDialog::submit()
{
    if (!url().isValid() || token().isEmpty())
        return showProblem(url().isValid() ? tr("Enter the admin token.") : tr("Enter the admin listener's URL."));
    m_problem->hide();
    m_waiting = true;
    m_connect->setEnabled(false);
    Q_EMIT connectRequested(url(), token());
}

void ConnectDialog::handleState(ControlClient::State state, const QString &detail)
{
    if (!m_waiting)
        return;
    switch (state) {
    case ControlClient::State::Connected:
        m_waiting = false;
        accept();
        return;
    case ControlClient::State::AuthRefused:
        qCInfo(lcConnectDialog) << "token refused url=" << m_client->adminUrl().toString() << "detail=" << detail;
        showProblem(tr("The server refused this token (%1). Check it and connect again.").arg(detail));
        m_token->selectAll();
        m_token->setFocus();
        break;
    case ControlClient::State::Reconnecting:
        showProblem(tr("Cannot reach %1 (%2). Check the address, or wait: the console keeps trying.")
                        .arg(m_client->adminUrl().toString(), detail));
        break;
    case ControlClient::State::Connecting:
    case ControlClient::State::Disconnected:
        return;
    }
    m_waiting = state == ControlClient::State::Reconnecting;
    m_connect->setEnabled(true);
}

void ConnectDialog::showProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->show();
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
