#pragma once

#include "faultrequest.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QSpinBox;

// A test fault's parameters before it is sent: its type, whom it applies to (fixed by the
// row it was asked for on), the stall's duration, the reject's status, count and
// Retry-After, and when it expires. Only the parameters of the chosen type are enabled.
class FaultDialog final : public QDialog
{
    Q_OBJECT

public:
    // draft: the type and scope chosen in the menu; scope: how to show that scope.
    FaultDialog(const FaultRequest &draft, const QString &scope, QWidget *parent = nullptr);

    FaultRequest request() const;

private:
    void updateEnabled();

    FaultRequest m_draft;
    QComboBox *m_type;
    QSpinBox *m_duration;
    QComboBox *m_status;
    QSpinBox *m_count;
    QSpinBox *m_retryAfter;
    QSpinBox *m_expiresIn;
};
