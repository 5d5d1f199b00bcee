#include "composerwidget.h"

#include "controlclient.h"
#include "pushrequest.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QShortcut>
#include <QStandardItemModel>
#include <QTime>

namespace {
constexpr int maxSent = 200;
constexpr int bodyRole = Qt::UserRole + 1;

// Whether the text is the beginning of some JSON value: it stops inside a string, after a
// colon or a comma, or with brackets left open. Qt names the token it expected there
// ("object is missing after a comma"), which reads as a mistake where text is only missing.
bool endsTooEarly(const QString &text)
{
    QString open; // the brackets still open, innermost last
    bool inString = false;
    bool escaped = false;
    QChar last; // the last character outside a string that is not a space
    for (const QChar c : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == u'\\')
                escaped = true;
            else if (c == u'"')
                inString = false;
            continue;
        }
        if (c == u'"') {
            inString = true;
            last = c;
        } else if (c == u'{' || c == u'[') {
            open.append(c);
        } else if (c == u'}' || c == u']') {
            if (open.isEmpty() || open.back() != (c == u'}' ? u'{' : u'['))
                return false;
            open.chop(1);
        }
        if (!c.isSpace() && c != u'"')
            last = c;
    }
    if (!inString && open.isEmpty() && last != u':' && last != u',')
        return false;
    QString closers;
    for (auto it = open.crbegin(); it != open.crend(); ++it)
        closers.append(*it == u'{' ? u'}' : u']');
    const QString endOfString = inString ? (escaped ? QStringLiteral("n\"") : QStringLiteral("\"")) : QString();
    // What may be missing before the brackets close: nothing, a value, a key's value, a pair.
    for (const QString &middle : {QString(), QStringLiteral("null"), QStringLiteral(": null"), QStringLiteral("\"\": null")}) {
        QJsonParseError error;
        const QJsonDocument completed =
            QJsonDocument::fromJson(("[" + text + endOfString + middle + closers + "]").toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && completed.array().size() == 1)
            return true;
    }
    return false;
}

// Any JSON value (not only objects and arrays), as the server accepts in "data".
std::optional<QJsonValue> parseValue(const QString &text, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &parseError);
    if (parseError.error == QJsonParseError::NoError && document.array().size() == 1)
        return document.array().first();
    if (parseError.error == QJsonParseError::NoError)
        *error = ComposerWidget::tr("exactly one JSON value expected");
    else if (endsTooEarly(text))
        *error = ComposerWidget::tr("JSON ends too early at character %1: a value, a closing } or ] is missing")
                     .arg(text.size());
    else
        *error = ComposerWidget::tr("%1 at character %2").arg(parseError.errorString()).arg(qMax(0, parseError.offset - 1));
    return std::nullopt;
}
} // namespace

ComposerWidget::ComposerWidget(ControlClient *client, ConnectionModel *connections, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_name(new QLineEdit(this))
    , m_data(new QPlainTextEdit(this))
    , m_json(new QCheckBox(tr("&JSON"), this))
    , m_validity(new QLabel(this))
    , m_target(new TargetPicker(connections, this))
    , m_send(new QPushButton(tr("&Send"), this))
    , m_answer(new QLabel(this))
    , m_reach(new QLabel(this))
    , m_sent(new QStandardItemModel(this))
    , m_sentView(new QListView(this))
    , m_resend(new QPushButton(tr("&Resend"), this))
{
    m_name->setObjectName(QStringLiteral("eventName"));
    m_name->setPlaceholderText(tr("empty: a plain message (onmessage)"));
    m_data->setObjectName(QStringLiteral("eventData"));
    m_data->setFont(QFont(QStringLiteral("monospace")));
    m_json->setObjectName(QStringLiteral("jsonMode"));
    m_validity->setObjectName(QStringLiteral("jsonValidity"));
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setToolTip(tr("Send (Ctrl+Return)"));
    m_answer->setObjectName(QStringLiteral("answer"));
    m_answer->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reach->setObjectName(QStringLiteral("wouldReach"));
    // Typing a name or a list of recipients asks once it pauses, not at every key.
    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(250);
    connect(&m_previewTimer, &QTimer::timeout, this, &ComposerWidget::preview);
    m_sentView->setObjectName(QStringLiteral("sentHistory"));
    m_sentView->setModel(m_sent);
    m_sentView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_resend->setObjectName(QStringLiteral("resend"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Event name"), m_name);
    form->addRow(tr("&Data"), m_data);
    auto *jsonRow = new QHBoxLayout;
    jsonRow->addWidget(m_json);
    jsonRow->addWidget(m_validity, 1);
    form->addRow(QString(), jsonRow);
    form->addRow(tr("&Target"), m_target);
    form->addRow(QString(), m_reach);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_send);
    sendRow->addWidget(m_answer, 1);
    form->addRow(QString(), sendRow);
    auto *history = new QGroupBox(tr("Sent"), this);
    auto *historyLayout = new QVBoxLayout(history);
    historyLayout->addWidget(m_sentView);
    historyLayout->addWidget(m_resend, 0, Qt::AlignRight);
    auto *layout = new QHBoxLayout(this);
    layout->addLayout(form, 3);
    layout->addWidget(history, 2);
    setTabOrder(m_name, m_data);
    setTabOrder(m_data, m_json);
    setTabOrder(m_json, m_target);
    setTabOrder(m_target, m_send);

    connect(m_data, &QPlainTextEdit::textChanged, this, &ComposerWidget::validate);
    connect(m_json, &QCheckBox::toggled, this, &ComposerWidget::validate);
    connect(m_name, &QLineEdit::textChanged, this, &ComposerWidget::validate);
    connect(m_target, &TargetPicker::changed, this, &ComposerWidget::validate);
    connect(m_name, &QLineEdit::textChanged, &m_previewTimer, qOverload<>(&QTimer::start));
    connect(m_target, &TargetPicker::changed, &m_previewTimer, qOverload<>(&QTimer::start));
    connect(m_client, &ControlClient::stateChanged, &m_previewTimer, qOverload<>(&QTimer::start));
    connect(m_send, &QPushButton::clicked, this, &ComposerWidget::send);
    connect(new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this), &QShortcut::activated,
            this, &ComposerWidget::send);
    connect(m_resend, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_sentView->currentIndex();
        if (current.isValid())
            sendBody(current.data(bodyRole).toJsonObject());
    });
    connect(m_sentView, &QListView::doubleClicked, m_resend, &QPushButton::click);
    validate();
}

void ComposerWidget::setTarget(TargetPicker::Kind kind, const QStringList &values)
{
    m_target->setTarget(kind, values);
}

std::optional<QJsonObject> ComposerWidget::request(QString *error) const
{
    QJsonValue data = m_data->toPlainText();
    if (m_json->isChecked()) {
        const std::optional<QJsonValue> value = parseValue(m_data->toPlainText(), error);
        if (!value)
            return std::nullopt;
        data = *value;
    }
    QJsonObject target;
    if (m_target->kind() != TargetPicker::Kind::Everyone) {
        if (m_target->values().isEmpty()) {
            *error = tr("choose at least one recipient");
            return std::nullopt;
        }
        target = m_target->target();
    }
    return PushRequest::body(m_name->text(), data, m_json->isChecked(), target);
}

void ComposerWidget::validate()
{
    QString error;
    const bool ok = request(&error).has_value();
    m_validity->setText(ok ? (m_json->isChecked() ? tr("valid JSON") : QString()) : error);
    m_validity->setStyleSheet(ok ? QString() : QStringLiteral("color: #b00020"));
    m_send->setEnabled(ok);
}

void ComposerWidget::preview()
{
    const int generation = ++m_previewGeneration;
    if (m_target->kind() != TargetPicker::Kind::Everyone && m_target->values().isEmpty())
        return m_reach->clear();
    const QJsonObject body = PushRequest::preview(
        m_name->text(), m_target->kind() == TargetPicker::Kind::Everyone ? QJsonObject() : m_target->target());
    m_client->request(QStringLiteral("push"), body, [this, alive = QPointer<ComposerWidget>(this), generation](
                                                        const QJsonObject &result, const QString &error) {
        if (!alive || generation != m_previewGeneration)
            return;
        if (!error.isEmpty())
            return m_reach->clear(); // not connected, or a name the validation already flags
        m_reach->setText(tr("would reach %n stream(s) now", nullptr, result.value(QStringLiteral("wouldDeliver")).toInt()));
    });
}

void ComposerWidget::send()
{
    QString error;
    if (const std::optional<QJsonObject> body = request(&error))
        sendBody(*body);
}

void ComposerWidget::sendBody(const QJsonObject &body)
{
    m_answer->setText(tr("sending…"));
    m_client->request(QStringLiteral("push"), body, [this, alive = QPointer<ComposerWidget>(this), body](
                                                        const QJsonObject &result, const QString &error) {
        if (!alive)
            return;
        if (!error.isEmpty()) {
            m_answer->setText(tr("refused: %1").arg(error));
            return;
        }
        m_answer->setText(tr("id %1, delivered to %n stream(s)", nullptr, result.value(QStringLiteral("delivered")).toInt())
                              .arg(result.value(QStringLiteral("id")).toString()));
        auto *item = new QStandardItem(QStringLiteral("%1  %2  %3")
                                           .arg(QTime::currentTime().toString(QStringLiteral("hh:mm:ss")),
                                                body.value(QStringLiteral("event")).toString(QStringLiteral("(message)")),
                                                QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)).left(120)));
        item->setData(body, bodyRole);
        m_sent->insertRow(0, item);
        if (m_sent->rowCount() > maxSent)
            m_sent->removeRow(m_sent->rowCount() - 1);
    });
}
