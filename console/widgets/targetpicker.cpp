#include "targetpicker.h"

#include "connectionmodel.h"

#include <QComboBox>
#include <QJsonArray>
#include <QLineEdit>
#include <QListView>
#include <QStringListModel>
#include <QTimer>
#include <QVBoxLayout>

TargetPicker::TargetPicker(ConnectionModel *connections, QWidget *parent)
    : QWidget(parent)
    , m_connections(connections)
    , m_kind(new QComboBox(this))
    , m_choices(new QListView(this))
    , m_choiceModel(new QStringListModel(this))
    , m_free(new QLineEdit(this))
{
    m_kind->setObjectName(QStringLiteral("targetKind"));
    m_kind->addItem(tr("Everyone"), QVariant::fromValue(Kind::Everyone));
    m_kind->addItem(tr("Sessions"), QVariant::fromValue(Kind::Sessions));
    m_kind->addItem(tr("Users"), QVariant::fromValue(Kind::Users));
    m_kind->addItem(tr("Groups"), QVariant::fromValue(Kind::Groups));
    m_choices->setObjectName(QStringLiteral("targetChoices"));
    m_choices->setModel(m_choiceModel);
    m_choices->setSelectionMode(QAbstractItemView::MultiSelection);
    m_choices->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_choices->setMaximumHeight(120);
    m_free->setObjectName(QStringLiteral("targetFree"));
    m_free->setPlaceholderText(tr("more ids or names, comma-separated"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_kind);
    layout->addWidget(m_choices);
    layout->addWidget(m_free);
    setFocusProxy(m_kind);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        refreshChoices();
        Q_EMIT changed();
    });
    connect(m_choices->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TargetPicker::changed);
    connect(m_free, &QLineEdit::textChanged, this, &TargetPicker::changed);
    // Live choices follow the connections, at most twice a second.
    auto *refresh = new QTimer(this);
    refresh->setSingleShot(true);
    refresh->setInterval(500);
    connect(refresh, &QTimer::timeout, this, &TargetPicker::refreshChoices);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_connections, signal, refresh, qOverload<>(&QTimer::start));
    connect(m_connections, &QAbstractItemModel::modelReset, refresh, qOverload<>(&QTimer::start));
    refreshChoices();
}

TargetPicker::Kind TargetPicker::kind() const
{
    return m_kind->currentData().value<Kind>();
}

void TargetPicker::refreshChoices()
{
    const QStringList selected = [this] {
        QStringList out;
        for (const QModelIndex &index : m_choices->selectionModel()->selectedIndexes())
            out.append(index.data().toString());
        return out;
    }();
    QStringList choices;
    switch (kind()) {
    case Kind::Everyone:
        break;
    case Kind::Sessions:
        choices = m_connections->sessions();
        break;
    case Kind::Users:
        choices = m_connections->userNames();
        break;
    case Kind::Groups:
        choices = m_connections->groupNames();
        break;
    }
    m_choiceModel->setStringList(choices);
    for (int row = 0; row < choices.size(); ++row) {
        if (selected.contains(choices[row]))
            m_choices->selectionModel()->select(m_choiceModel->index(row), QItemSelectionModel::Select);
    }
    m_choices->setEnabled(kind() != Kind::Everyone);
    m_free->setEnabled(kind() != Kind::Everyone);
}

QStringList TargetPicker::values() const
{
    QStringList out;
    for (const QModelIndex &index : m_choices->selectionModel()->selectedIndexes())
        out.append(index.data().toString());
    for (const QString &part : m_free->text().split(u',', Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty() && !out.contains(part.trimmed()))
            out.append(part.trimmed());
    }
    return out;
}

QJsonObject TargetPicker::target() const
{
    static const QHash<Kind, QString> keys{{Kind::Sessions, QStringLiteral("sessions")},
                                           {Kind::Users, QStringLiteral("users")},
                                           {Kind::Groups, QStringLiteral("groups")}};
    if (kind() == Kind::Everyone)
        return {};
    return {{keys.value(kind()), QJsonArray::fromStringList(values())}};
}

void TargetPicker::setTarget(Kind kind, const QStringList &values)
{
    m_kind->setCurrentIndex(m_kind->findData(QVariant::fromValue(kind)));
    // The choices follow the kind at once; a value among them is selected there, only the
    // others (not live, or typed ids) go to the free text.
    refreshChoices();
    m_choices->clearSelection();
    const QStringList choices = m_choiceModel->stringList();
    QStringList others;
    for (const QString &value : values) {
        const qsizetype row = choices.indexOf(value);
        if (row < 0) {
            others.append(value);
            continue;
        }
        const QModelIndex index = m_choiceModel->index(int(row));
        m_choices->selectionModel()->select(index, QItemSelectionModel::Select);
        m_choices->scrollTo(index);
    }
    m_free->setText(others.join(QStringLiteral(", ")));
}
