#include "testclientwidget.h"

#include "receivedeventmodel.h"

#include <QCheckBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QTextCursor>
#include <QVBoxLayout>

namespace {

QString stateName(EventSourceClient::State state)
{
    switch (state) {
    case EventSourceClient::State::Connecting: return TestClientWidget::tr("Connecting");
    case EventSourceClient::State::Open: return TestClientWidget::tr("Open");
    case EventSourceClient::State::Reconnecting: return TestClientWidget::tr("Reconnecting");
    case EventSourceClient::State::Closed: return TestClientWidget::tr("Closed");
    case EventSourceClient::State::Failed: return TestClientWidget::tr("Failed");
    }
    return {};
}

// Control characters other than tab and line feed shown as their Unicode control pictures
// (U+2400 block), so a stray NUL or ESC is visible and harmless.
QString visible(QString text)
{
    for (QChar &c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 && u != u'\t' && u != u'\n')
            c = QChar(char16_t(0x2400 + u));
        else if (u == 0x7f)
            c = QChar(char16_t(0x2421));
    }
    return text;
}

QLineEdit *lineEdit(const char *objectName, const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

} // namespace

TestClientWidget::TestClientWidget(QWidget *parent)
    : QWidget(parent)
    , m_client(new EventSourceClient(this))
    , m_model(new ReceivedEventModel(ReceivedEventModel::defaultCapacity, this))
    , m_baseUrl(lineEdit("baseUrlEdit", tr("http://127.0.0.1:8080"), this))
    , m_path(lineEdit("pathEdit", tr("/eventsource"), this))
    , m_events(lineEdit("eventFilterEdit", tr("all events (or: name1, name2)"), this))
    , m_token(lineEdit("tokenEdit", tr("JWT, sent as Authorization: Bearer"), this))
    , m_loginUser(lineEdit("loginUserEdit", tr("user (POST /login first)"), this))
    , m_loginPassword(lineEdit("loginPasswordEdit", tr("password"), this))
    , m_lastEventId(lineEdit("lastEventIdEdit", tr("resume after this id"), this))
    , m_reconnect(new QCheckBox(tr("&Reconnect"), this))
    , m_open(new QPushButton(tr("&Open"), this))
    , m_close(new QPushButton(tr("C&lose"), this))
    , m_clear(new QPushButton(tr("Cl&ear"), this))
    , m_table(new QTableView(this))
    , m_raw(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("testClientWidget"));
    m_path->setText(QStringLiteral("/eventsource"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_loginPassword->setEchoMode(QLineEdit::Password);
    m_reconnect->setObjectName(QStringLiteral("reconnectCheck"));
    m_reconnect->setChecked(true);
    m_open->setObjectName(QStringLiteral("openButton"));
    m_close->setObjectName(QStringLiteral("closeButton"));
    m_clear->setObjectName(QStringLiteral("clearButton"));
    m_close->setEnabled(false);

    m_table->setObjectName(QStringLiteral("receivedEventsView"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(ReceivedEventModel::Time, fontMetrics().horizontalAdvance(QStringLiteral("00:00:00.000__")));
    m_table->setColumnWidth(ReceivedEventModel::Id, fontMetrics().horizontalAdvance(QStringLiteral("mwx1k2c4-000000__")));
    m_table->setColumnWidth(ReceivedEventModel::Type, fontMetrics().horizontalAdvance(QStringLiteral("ordercancelled____")));

    m_raw->setObjectName(QStringLiteral("rawView"));
    m_raw->setReadOnly(true);
    m_raw->setMaximumBlockCount(maxRawLines);
    m_raw->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_raw->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_raw->setPlaceholderText(tr("bytes as received"));

    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QGridLayout;
    const auto addField = [this, form](int row, int column, const QString &label, QWidget *field) {
        auto *caption = new QLabel(label, this);
        caption->setBuddy(field);
        form->addWidget(caption, row, column * 2);
        form->addWidget(field, row, column * 2 + 1);
    };
    addField(0, 0, tr("&Base URL:"), m_baseUrl);
    addField(0, 1, tr("&Path:"), m_path);
    addField(0, 2, tr("E&vents:"), m_events);
    addField(1, 0, tr("To&ken:"), m_token);
    addField(1, 1, tr("Login &user:"), m_loginUser);
    addField(1, 2, tr("Pass&word:"), m_loginPassword);
    addField(2, 0, tr("Last-Event-&ID:"), m_lastEventId);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reconnect);
    buttons->addStretch(1);
    buttons->addWidget(m_open);
    buttons->addWidget(m_close);
    buttons->addWidget(m_clear);
    form->addLayout(buttons, 2, 2, 1, 4);
    form->setColumnStretch(1, 2);
    form->setColumnStretch(3, 1);
    form->setColumnStretch(5, 1);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("testClientSplitter"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_raw);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    QWidget *order[] = {m_baseUrl, m_path, m_events, m_token, m_loginUser, m_loginPassword, m_lastEventId,
                        m_reconnect, m_open, m_close, m_clear, m_table, m_raw};
    for (size_t i = 1; i < std::size(order); ++i)
        setTabOrder(order[i - 1], order[i]);

    for (QLineEdit *edit : {m_baseUrl, m_path, m_events, m_token, m_loginUser, m_loginPassword, m_lastEventId})
        connect(edit, &QLineEdit::returnPressed, this, &TestClientWidget::openStream);
    connect(m_open, &QPushButton::clicked, this, &TestClientWidget::openStream);
    connect(m_close, &QPushButton::clicked, this, &TestClientWidget::closeStream);
    connect(m_clear, &QPushButton::clicked, this, &TestClientWidget::clear);
    connect(m_client, &EventSourceClient::stateChanged, this, &TestClientWidget::handleStateChanged);
    connect(m_client, &EventSourceClient::rawReceived, this, &TestClientWidget::handleRawReceived);
    connect(m_client, &EventSourceClient::eventReceived, this, &TestClientWidget::handleEventReceived);
    connect(m_client, &EventSourceClient::statusReceived, this, &TestClientWidget::handleStatusReceived);
    // Follow new rows only when the user was already looking at the newest.
    connect(m_model, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        const QScrollBar *bar = m_table->verticalScrollBar();
        m_tableAtBottom = bar->value() >= bar->maximum();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_tableAtBottom)
            m_table->scrollToBottom();
    });

    m_stateText = stateName(EventSourceClient::State::Closed);
    updateStatus();
}

void TestClientWidget::setBaseUrl(const QUrl &url)
{
    const QString path = url.path();
    m_baseUrl->setText(url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment).toString());
    if (!path.isEmpty() && path != QLatin1String("/"))
        m_path->setText(path);
}

QUrl TestClientWidget::streamUrl() const
{
    QUrl url = QUrl::fromUserInput(m_baseUrl->text().trimmed());
    QString path = m_path->text().trimmed();
    if (!path.startsWith(u'/'))
        path.prepend(u'/');
    QStringList names;
    for (const QString &name : m_events->text().split(u',')) {
        if (!name.trimmed().isEmpty())
            names.append(name.trimmed());
    }
    if (!names.isEmpty()) {
        if (!path.endsWith(u'/'))
            path += u'/';
        path += names.join(u',');
    }
    url.setPath(path);
    return url;
}

void TestClientWidget::openStream()
{
    EventSourceClient::Options options;
    options.token = m_token->text().trimmed();
    options.lastEventId = m_lastEventId->text();
    options.reconnect = m_reconnect->isChecked();
    options.loginUser = m_loginUser->text().trimmed();
    options.loginPassword = m_loginPassword->text();
    m_client->open(streamUrl(), options);
}

void TestClientWidget::closeStream()
{
    m_client->close();
}

void TestClientWidget::clear()
{
    m_model->clear();
    m_raw->clear();
    m_rawPendingCr = false;
    m_eventCount = 0;
    m_byteCount = 0;
    updateStatus();
}

void TestClientWidget::handleStateChanged(EventSourceClient::State state, const QString &detail)
{
    const bool active = state == EventSourceClient::State::Connecting || state == EventSourceClient::State::Open
        || state == EventSourceClient::State::Reconnecting;
    m_close->setEnabled(active);
    m_stateText = detail.isEmpty() ? stateName(state) : tr("%1: %2").arg(stateName(state), detail);
    // Each connection is a new byte stream: no half character or CR carries over.
    m_rawDecoder.resetState();
    m_rawPendingCr = false;
    appendRawMarker(m_stateText);
    updateStatus();
}

void TestClientWidget::handleRawReceived(const QByteArray &chunk)
{
    m_byteCount += chunk.size();
    QString text = m_rawDecoder.decode(chunk);
    // One line break per CRLF, CR or LF (the parser's rule), also when a CRLF is split.
    if (m_rawPendingCr && text.startsWith(u'\n'))
        text.remove(0, 1);
    m_rawPendingCr = text.endsWith(u'\r');
    text.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    text.replace(u'\r', u'\n');
    appendRaw(visible(text));
    updateStatus();
}

void TestClientWidget::handleEventReceived(const SseMessage &message)
{
    ++m_eventCount;
    m_model->addEvent(message);
    updateStatus();
}

void TestClientWidget::handleStatusReceived(int httpStatus, const QByteArray &body)
{
    appendRawMarker(tr("HTTP %1").arg(httpStatus));
    appendRaw(visible(QString::fromUtf8(body)));
}

void TestClientWidget::appendRaw(const QString &text)
{
    if (text.isEmpty())
        return;
    QScrollBar *bar = m_raw->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum();
    QTextCursor cursor(m_raw->document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text);
    if (atBottom)
        bar->setValue(bar->maximum());
}

void TestClientWidget::appendRawMarker(const QString &text)
{
    const QTextBlock last = m_raw->document()->lastBlock();
    const QString line = QStringLiteral("\u2500\u2500 %1 \u2500\u2500\n").arg(text);
    appendRaw(last.text().isEmpty() ? line : u'\n' + line);
}

void TestClientWidget::updateStatus()
{
    const QLocale locale;
    m_status->setText(QStringList{m_stateText, tr("%n event(s)", nullptr, int(m_eventCount)),
                                  locale.formattedDataSize(m_byteCount),
                                  tr("%n connection(s)", nullptr, int(m_client->connectionCount())),
                                  tr("last id %1").arg(m_client->lastEventId().isEmpty() ? tr("none")
                                                                                         : m_client->lastEventId())}
                          .join(QStringLiteral(" \u00b7 ")));
}
