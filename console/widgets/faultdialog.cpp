#include "faultdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

FaultDialog::FaultDialog(const FaultRequest &draft, const QString &scope, QWidget *parent)
    : QDialog(parent)
    , m_draft(draft)
    , m_type(new QComboBox(this))
    , m_duration(new QSpinBox(this))
    , m_status(new QComboBox(this))
    , m_count(new QSpinBox(this))
    , m_retryAfter(new QSpinBox(this))
    , m_expiresIn(new QSpinBox(this))
{
    setWindowTitle(tr("Inject a test fault"));
    m_type->setObjectName(QStringLiteral("type"));
    const std::pair<FaultRequest::Type, QString> types[] = {
        {FaultRequest::Type::Stall, tr("Stall: no bytes for a while, then everything")},
        {FaultRequest::Type::Cut, tr("Cut the next event in half and close")},
        {FaultRequest::Type::Reject, tr("Reject the next reconnects")},
        {FaultRequest::Type::Duplicate, tr("Send the next event twice")},
        {FaultRequest::Type::Malformed, tr("Put a malformed line before the next event")}};
    for (const auto &[type, label] : types)
        m_type->addItem(label, int(type));
    m_type->setCurrentIndex(m_type->findData(int(draft.type)));
    m_duration->setObjectName(QStringLiteral("durationMs"));
    m_duration->setRange(1, FaultRequest::maxDurationMs);
    m_duration->setSingleStep(1000);
    m_duration->setValue(draft.durationMs > 0 ? draft.durationMs : 10000);
    m_duration->setSuffix(tr(" ms"));
    m_status->setObjectName(QStringLiteral("status"));
    for (const int status : {503, 429, 401, 204})
        m_status->addItem(QString::number(status), status);
    if (FaultRequest::isRejectStatus(draft.status))
        m_status->setCurrentIndex(m_status->findData(draft.status));
    m_count->setObjectName(QStringLiteral("count"));
    m_count->setRange(1, FaultRequest::maxCount);
    m_count->setValue(draft.count);
    m_retryAfter->setObjectName(QStringLiteral("retryAfterS"));
    m_retryAfter->setRange(0, FaultRequest::maxRetryAfterS);
    m_retryAfter->setValue(draft.retryAfterS);
    m_retryAfter->setSuffix(tr(" s"));
    m_retryAfter->setSpecialValueText(tr("none"));
    m_expiresIn->setObjectName(QStringLiteral("expiresInS"));
    m_expiresIn->setRange(1, FaultRequest::maxExpiresInS);
    m_expiresIn->setValue(draft.expiresInS);
    m_expiresIn->setSuffix(tr(" s"));
    auto *scopeLabel = new QLabel(scope, this);
    scopeLabel->setObjectName(QStringLiteral("scope"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(tr("&Inject"), QDialogButtonBox::AcceptRole)->setObjectName(QStringLiteral("inject"));
    auto *form = new QFormLayout(this);
    form->addRow(tr("&Fault"), m_type);
    form->addRow(tr("Applies to"), scopeLabel);
    form->addRow(tr("&Duration"), m_duration);
    form->addRow(tr("&Status"), m_status);
    form->addRow(tr("&Requests"), m_count);
    form->addRow(tr("Retry-&After"), m_retryAfter);
    form->addRow(tr("&Expires after"), m_expiresIn);
    form->addRow(buttons);
    connect(m_type, &QComboBox::currentIndexChanged, this, &FaultDialog::updateEnabled);
    connect(m_status, &QComboBox::currentIndexChanged, this, &FaultDialog::updateEnabled);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    updateEnabled();
}

void FaultDialog::updateEnabled()
{
    const auto type = FaultRequest::Type(m_type->currentData().toInt());
    const bool reject = type == FaultRequest::Type::Reject;
    const int status = m_status->currentData().toInt();
    m_duration->setEnabled(type == FaultRequest::Type::Stall);
    m_status->setEnabled(reject);
    m_count->setEnabled(reject);
    // Retry-After only means something with 429 and 503.
    m_retryAfter->setEnabled(reject && (status == 429 || status == 503));
}

FaultRequest FaultDialog::request() const
{
    FaultRequest request;
    request.type = FaultRequest::Type(m_type->currentData().toInt());
    request.connection = m_draft.connection;
    request.target = m_draft.target;
    request.expiresInS = m_expiresIn->value();
    if (request.type == FaultRequest::Type::Stall)
        request.durationMs = m_duration->value();
    if (request.type == FaultRequest::Type::Reject) {
        request.status = m_status->currentData().toInt();
        request.count = m_count->value();
        request.retryAfterS = m_retryAfter->isEnabled() ? m_retryAfter->value() : 0;
    }
    return request;
}
