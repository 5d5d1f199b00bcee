#include "pausedialog.h"

#include "connectionmodel.h"
#include "pauserequest.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>

namespace {

QStringList exceptList(const QLineEdit *edit)
{
    QStringList out;
    for (const QString &part : edit->text().split(u',', Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            out.append(part.trimmed());
    }
    return out;
}

} // namespace

PauseDialog::PauseDialog(ConnectionModel *connections, QWidget *parent)
    : QDialog(parent)
    , m_connections(connections)
    , m_delay(new QSpinBox(this))
    , m_target(new TargetPicker(connections, this))
    , m_except(new QLineEdit(this))
    , m_count(new QLabel(this))
{
    setWindowTitle(tr("Pause streams"));
    m_delay->setObjectName(QStringLiteral("delay"));
    m_delay->setRange(0, 24 * 60 * 60 * 1000);
    m_delay->setSingleStep(1000);
    m_delay->setValue(30000);
    m_delay->setSuffix(tr(" ms"));
    m_except->setObjectName(QStringLiteral("exceptGroups"));
    m_except->setPlaceholderText(tr("groups to spare, comma-separated"));
    m_count->setObjectName(QStringLiteral("affected"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *pause = buttons->addButton(tr("&Pause…"), QDialogButtonBox::AcceptRole);
    pause->setObjectName(QStringLiteral("pause"));
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Delay"), m_delay);
    form->addRow(tr("&Who"), m_target);
    form->addRow(tr("&Except groups"), m_except);
    form->addRow(QString(), m_count);
    form->addRow(buttons);
    connect(m_target, &TargetPicker::changed, this, &PauseDialog::updateCount);
    connect(m_except, &QLineEdit::textChanged, this, &PauseDialog::updateCount);
    // The count follows the live streams while the dialog is open.
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_connections, signal, this, &PauseDialog::updateCount);
    connect(m_connections, &QAbstractItemModel::modelReset, this, &PauseDialog::updateCount);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &PauseDialog::confirm);
    updateCount();
}

void PauseDialog::setTarget(TargetPicker::Kind kind, const QStringList &values)
{
    m_target->setTarget(kind, values);
    updateCount();
}

QJsonObject PauseDialog::request() const
{
    return PauseRequest::body(m_delay->value(),
                              m_target->kind() == TargetPicker::Kind::Everyone ? QJsonObject() : m_target->target(),
                              exceptList(m_except));
}

int PauseDialog::affectedStreams() const
{
    const QStringList values = m_target->values();
    const QStringList except = exceptList(m_except);
    const auto intersects = [](const QStringList &a, const QStringList &b) {
        return std::any_of(a.begin(), a.end(), [&b](const QString &x) { return b.contains(x); });
    };
    int count = 0;
    for (int row = 0; row < m_connections->rowCount(); ++row) {
        const ConnectionRecord *r = m_connections->record(row);
        bool addressed = true;
        switch (m_target->kind()) {
        case TargetPicker::Kind::Everyone:
            break;
        case TargetPicker::Kind::Sessions:
            addressed = values.contains(r->session);
            break;
        case TargetPicker::Kind::Users:
            addressed = (!r->userId.isEmpty() && values.contains(r->userId))
                || (!r->userName.isEmpty() && values.contains(r->userName));
            break;
        case TargetPicker::Kind::Groups:
            addressed = intersects(r->groups, values) || intersects(r->groupIds, values);
            break;
        }
        if (addressed && !intersects(r->groups, except) && !intersects(r->groupIds, except))
            ++count;
    }
    return count;
}

void PauseDialog::updateCount()
{
    m_count->setText(tr("%n live stream(s) will be paused", nullptr, affectedStreams()));
}

void PauseDialog::confirm()
{
    const int count = affectedStreams();
    const auto answer = QMessageBox::question(
        this, tr("Pause streams"),
        tr("Pause %n stream(s)? They get \"retry: %1\" and are closed; browsers come back after the delay.",
           nullptr, count).arg(m_delay->value()));
    if (answer == QMessageBox::Yes)
        accept();
}
