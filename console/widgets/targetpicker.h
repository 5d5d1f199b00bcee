#pragma once

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLineEdit;
class QListView;
class QStringListModel;
class ConnectionModel;

// Chooses who an event or a pause is for: everyone, or sessions / users / groups picked from
// what is live (multi-select) plus free text (comma-separated ids or names).
class TargetPicker final : public QWidget
{
    Q_OBJECT

public:
    enum class Kind { Everyone, Sessions, Users, Groups };
    Q_ENUM(Kind)

    explicit TargetPicker(ConnectionModel *connections, QWidget *parent = nullptr);

    Kind kind() const;
    QStringList values() const;
    // {"sessions"|"users"|"groups": [...]}, or an empty object for everyone.
    QJsonObject target() const;
    void setTarget(Kind kind, const QStringList &values);

Q_SIGNALS:
    void changed();

private:
    void refreshChoices();

    ConnectionModel *m_connections;
    QComboBox *m_kind;
    QListView *m_choices;
    QStringListModel *m_choiceModel;
    QLineEdit *m_free;
};
