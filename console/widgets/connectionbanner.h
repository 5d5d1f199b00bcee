#pragma once

#include <QFrame>

class QLabel;
class QPushButton;

// The strip above the tabs while the console is not connected: what happened, in words, and
// one button: "Retry now" when the server was reachable before (the address and token are
// known), "Connect…" when a new address or token is needed.
class ConnectionBanner final : public QFrame
{
    Q_OBJECT

public:
    enum class Action { Retry, Connect };
    Q_ENUM(Action)

    explicit ConnectionBanner(QWidget *parent = nullptr);

    void showProblem(const QString &text, Action action);
    QString text() const;
    Action action() const { return m_action; }

Q_SIGNALS:
    void retryRequested();
    void connectRequested();

private:
    QLabel *m_text;
    QPushButton *m_button;
    Action m_action = Action::Connect;
};
