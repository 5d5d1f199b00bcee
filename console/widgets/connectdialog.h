#pragma once

#include "controlclient.h"

#include <QDialog>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Asks for the admin listener's address and token; remembers recent servers (QSettings; the
// token is not stored). "Connect" asks for the connection (connectRequested) and the dialog
// stays open until the client is connected: a refused token or an unreachable server is
// said in the dialog, which keeps what was typed so it can be corrected.
class ConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectDialog(ControlClient *client, QWidget *parent = nullptr);

    QUrl url() const;
    QString token() const;
    void setUrl(const QUrl &url);
    void setToken(const QString &token);
    // The last problem shown (empty when none).
    QString problem() const;
    // Presses "Connect".
    void submit();
    // Puts url first in the recent list.
    static void remember(const QUrl &url);
    static QStringList recentServers();

Q_SIGNALS:
    void connectRequested(const QUrl &url, const QString &token);

private:
    void handleState(ControlClient::State state, const QString &detail);
    void showProblem(const QString &text);

    ControlClient *m_client;
    QComboBox *m_url;
    QLineEdit *m_token;
    QLabel *m_problem;
    QPushButton *m_connect;
    bool m_waiting = false; // a connection asked for here is under way
};
