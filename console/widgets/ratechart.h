#pragma once

#include <QWidget>

#include <deque>

// Two series over the last minutes (connections, events/s), one sample a second from the
// control channel's stats. Painted by hand: a few hundred points need no chart library.
class RateChart final : public QWidget
{
    Q_OBJECT

public:
    static constexpr int maxSamples = 600; // ten minutes
    explicit RateChart(QWidget *parent = nullptr);

    void addSample(double connections, double eventsPerSecond);
    int sampleCount() const { return int(m_samples.size()); }
    QSize sizeHint() const override { return {600, 260}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Sample
    {
        double connections;
        double eventsPerSecond;
    };
    std::deque<Sample> m_samples;
};
