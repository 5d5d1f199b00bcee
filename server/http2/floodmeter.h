#pragma once

#include <QtGlobal>

// A token bucket for frames that cost the server work but carry nothing for the
// application (PING, SETTINGS, RST_STREAM: the "ping flood" and "rapid reset" attacks):
// `burst` at once, then `perSecond` on average. Times in ms from any fixed start.
class FloodMeter final
{
public:
    struct Options
    {
        int burst = 100;
        int perSecond = 10;
    };

    explicit FloodMeter(Options options);
    // Counts one frame; false once the budget is spent (the connection is to be closed).
    bool admit(qint64 nowMs);

private:
    Options m_options;
    qint64 m_milliTokens; // 1000 per frame
    qint64 m_lastMs = -1;
};
