#pragma once

#include "fakestreamsink.h"
#include "fanout.h"
#include "localbus.h"
#include "ringeventlog.h"

#include <QPointer>

#include <memory>

// A fan-out on a bus in memory whose streams have sinks that are no sockets, for the unit
// tests of what sits on the fan-out (delivery ledger, test faults).
struct FanoutFixture final
{
    std::unique_ptr<LocalBus> bus;
    std::unique_ptr<Fanout> fanout;

    void start()
    {
        bus = std::make_unique<LocalBus>(std::make_unique<RingEventLog>(100));
        fanout = std::make_unique<Fanout>(bus.get(), Fanout::Options{});
    }
    void stop()
    {
        fanout.reset();
        bus.reset();
    }
    QPointer<FakeStreamSink> open(const Principal &principal = {}, qint64 window = FakeStreamSink::unlimited,
                                  const QByteArrayList &filter = {})
    {
        auto sink = std::make_unique<FakeStreamSink>(window);
        QPointer<FakeStreamSink> raw = sink.get();
        Fanout::StreamRequest request;
        request.info.principal = principal;
        request.info.filter = filter;
        fanout->open(std::move(request), std::move(sink));
        return raw;
    }
    // Publishes data (with this name) and returns the event's id.
    QByteArray publish(const QByteArray &data, const QByteArray &name = {})
    {
        Event event;
        event.name = name;
        event.data = data;
        QByteArray id;
        bus->publish(event, [&id](const EventBus::Published &published) { id = published.event.id; });
        return id;
    }
};
