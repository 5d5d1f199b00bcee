#pragma once

#include "targetpicker.h"

#include <QDialog>

class ConnectionModel;
class QLabel;
class QLineEdit;
class QSpinBox;

// pause(delay): the delay, who (everyone or a target), groups to spare, and — before anything
// happens — how many of the live streams that is.
class PauseDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit PauseDialog(ConnectionModel *connections, QWidget *parent = nullptr);

    void setTarget(TargetPicker::Kind kind, const QStringList &values);
    // The pause request ({"delay", "target"?, "exceptGroups"?}).
    QJsonObject request() const;
    // Streams of the connections model the request would pause.
    int affectedStreams() const;

private:
    void updateCount();
    void confirm();

    ConnectionModel *m_connections;
    QSpinBox *m_delay;
    TargetPicker *m_target;
    QLineEdit *m_except;
    QLabel *m_count;
};
