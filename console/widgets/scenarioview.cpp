#include "scenarioview.h"

#include "controlclient.h"
#include "scenariorunner.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace {
enum Column { Number, Step, Result, Detail };
}

ScenarioView::ScenarioView(ControlClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_file(new QLabel(tr("No scenario loaded"), this))
    , m_summary(new QLabel(this))
    , m_table(new QTableWidget(0, 4, this))
    , m_load(new QPushButton(tr("&Load…"), this))
    , m_run(new QPushButton(tr("R&un"), this))
    , m_stop(new QPushButton(tr("S&top"), this))
{
    m_file->setObjectName(QStringLiteral("scenarioFile"));
    m_summary->setObjectName(QStringLiteral("scenarioSummary"));
    m_table->setObjectName(QStringLiteral("scenarioSteps"));
    m_table->setHorizontalHeaderLabels({tr("#"), tr("Step"), tr("Result"), tr("Detail")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(Number, 40);
    m_table->setColumnWidth(Step, 320);
    m_load->setObjectName(QStringLiteral("loadScenario"));
    m_run->setObjectName(QStringLiteral("runScenario"));
    m_stop->setObjectName(QStringLiteral("stopScenario"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_load);
    bar->addWidget(m_file, 1);
    bar->addWidget(m_run);
    bar->addWidget(m_stop);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_summary);
    connect(m_load, &QPushButton::clicked, this, &ScenarioView::chooseFile);
    connect(m_run, &QPushButton::clicked, this, &ScenarioView::run);
    connect(m_stop, &QPushButton::clicked, this, &ScenarioView::stop);
    connect(m_client, &ControlClient::stateChanged, this, &ScenarioView::updateButtons);
    updateButtons();
}

void ScenarioView::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load a scenario"), QString(),
                                                      tr("Scenarios (*.ndjson *.jsonl *.json);;All files (*)"));
    if (!path.isEmpty())
        loadFile(path);
}

bool ScenarioView::loadFile(const QString &path)
{
    stop();
    m_steps.clear();
    m_table->setRowCount(0);
    QFile file(path);
    QString error;
    std::optional<QList<ScenarioStep>> steps;
    if (file.open(QIODevice::ReadOnly))
        steps = ScenarioStep::readAll(&file, &error);
    else
        error = file.errorString();
    m_file->setText(QFileInfo(path).fileName());
    if (!steps) {
        m_summary->setText(tr("Cannot run %1: %2").arg(QFileInfo(path).fileName(), error));
        updateButtons();
        return false;
    }
    m_steps = *steps;
    m_table->setRowCount(int(m_steps.size()));
    for (int row = 0; row < m_steps.size(); ++row) {
        m_table->setItem(row, Number, new QTableWidgetItem(QString::number(row + 1)));
        m_table->setItem(row, Step, new QTableWidgetItem(m_steps[row].describe()));
        m_table->setItem(row, Result, new QTableWidgetItem());
        m_table->setItem(row, Detail, new QTableWidgetItem());
    }
    m_summary->setText(tr("%n step(s) loaded", nullptr, int(m_steps.size())));
    updateButtons();
    return true;
}

void ScenarioView::run()
{
    if (m_steps.isEmpty() || m_client->state() != ControlClient::State::Connected)
        return;
    stop();
    for (int row = 0; row < m_table->rowCount(); ++row)
        showResult(row, QString(), QString(), QColor());
    ScenarioRunner::Options options;
    options.streamUrl = m_client->streamUrl();
    m_runner = new ScenarioRunner(m_steps, options,
                                  [client = m_client](const QString &type, const QJsonObject &fields,
                                                      ScenarioRunner::Answer done) {
                                      client->request(type, fields, std::move(done));
                                  }, this);
    connect(m_runner, &ScenarioRunner::stepStarted, this, [this](int index) {
        showResult(index, tr("running"), QString(), QColor());
        m_table->scrollToItem(m_table->item(index, Number));
    });
    connect(m_runner, &ScenarioRunner::stepFinished, this, [this](int index, bool passed, const QString &detail) {
        showResult(index, passed ? tr("passed") : tr("failed"), detail,
                   passed ? QColor(0xc8, 0xe6, 0xc9) : QColor(0xff, 0xcd, 0xd2));
    });
    connect(m_runner, &ScenarioRunner::finished, this, [this](bool passed) {
        m_summary->setText(passed ? tr("Every step passed") : tr("A step failed; the ones after it did not run"));
        m_runner->deleteLater();
        m_runner = nullptr;
        updateButtons();
    });
    m_summary->setText(tr("Running…"));
    m_runner->start();
    updateButtons();
}

void ScenarioView::stop()
{
    if (!m_runner)
        return;
    m_runner->stop();
    m_runner->deleteLater();
    m_runner = nullptr;
    m_summary->setText(tr("Stopped"));
    updateButtons();
}

void ScenarioView::showResult(int row, const QString &result, const QString &detail, const QColor &color)
{
    m_table->item(row, Result)->setText(result);
    m_table->item(row, Detail)->setText(detail);
    for (int column = 0; column < m_table->columnCount(); ++column)
        m_table->item(row, column)->setBackground(color.isValid() ? QBrush(color) : QBrush());
}

void ScenarioView::updateButtons()
{
    const bool connected = m_client->state() == ControlClient::State::Connected;
    m_run->setEnabled(connected && !m_steps.isEmpty() && !m_runner);
    m_run->setToolTip(connected ? QString() : tr("Connect to a hub first"));
    m_stop->setEnabled(m_runner != nullptr);
}
