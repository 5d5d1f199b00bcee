#pragma once

#include "targetpicker.h"

#include <QJsonObject>
#include <QTimer>
#include <QWidget>

class ControlClient;
class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QPushButton;
class QStandardItemModel;

// Writes and sends an event: name (empty: a plain message), data with a JSON mode that
// validates as you type, a target; before sending, how many streams the event would reach
// (a dry run, asked again as the name or the target changes); shows the answer (id,
// delivered) and keeps a history of sent events that can be resent.
class ComposerWidget final : public QWidget
{
    Q_OBJECT

public:
    ComposerWidget(ControlClient *client, ConnectionModel *connections, QWidget *parent = nullptr);

    // Pre-fills the target (from the connections' context menu).
    void setTarget(TargetPicker::Kind kind, const QStringList &values);
    // The push request the form describes, or an error text.
    std::optional<QJsonObject> request(QString *error) const;
    void send();

private:
    void validate();
    void sendBody(const QJsonObject &body);
    // Asks the server for the audience of the event as it stands (dryRun).
    void preview();

    ControlClient *m_client;
    QLineEdit *m_name;
    QPlainTextEdit *m_data;
    QCheckBox *m_json;
    QLabel *m_validity;
    TargetPicker *m_target;
    QPushButton *m_send;
    QLabel *m_answer;
    QLabel *m_reach;
    QTimer m_previewTimer;
    int m_previewGeneration = 0; // answers to earlier previews are ignored
    QStandardItemModel *m_sent;
    QListView *m_sentView;
    QPushButton *m_resend;
};
