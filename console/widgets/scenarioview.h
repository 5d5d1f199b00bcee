#pragma once

#include "scenariostep.h"

#include <QWidget>

class ControlClient;
class QLabel;
class QPushButton;
class QTableWidget;
class ScenarioRunner;

// The Scenario tab: load a scenario file (the one eventsource-cli scenario runs), run it
// against the connected hub over the console's control channel, and watch each step turn
// green (passed) or red (failed, with why); the steps after a failure stay grey.
class ScenarioView final : public QWidget
{
    Q_OBJECT

public:
    explicit ScenarioView(ControlClient *client, QWidget *parent = nullptr);

    // Reads the file; false (with the reason shown) when it does not read.
    bool loadFile(const QString &path);
    void run();
    void stop();

private:
    void chooseFile();
    void updateButtons();
    void showResult(int row, const QString &result, const QString &detail, const QColor &color);

    ControlClient *m_client;
    QList<ScenarioStep> m_steps;
    ScenarioRunner *m_runner = nullptr;
    QLabel *m_file;
    QLabel *m_summary;
    QTableWidget *m_table;
    QPushButton *m_load;
    QPushButton *m_run;
    QPushButton *m_stop;
};
