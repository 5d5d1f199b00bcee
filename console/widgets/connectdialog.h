#pragma once

#include <QDialog>
#include <QUrl>

class QComboBox;
class QLineEdit;

// Asks for the admin listener's address and token; remembers recent servers (QSettings; the
// token is not stored).
class ConnectDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectDialog(QWidget *parent = nullptr);

    QUrl url() const;
    QString token() const;
    void setUrl(const QUrl &url);
    // Puts url first in the recent list.
    static void remember(const QUrl &url);
    static QStringList recentServers();

private:
    QComboBox *m_url;
    QLineEdit *m_token;
};
