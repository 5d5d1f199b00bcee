'use strict';
// The server's gap event, when its history no longer holds what a resuming stream missed.

const {test, before, after} = require('node:test');
const assert = require('node:assert/strict');
const {EventSource} = require('eventsource');

const EventSourceHub = require('..');
const {describeServer, startServer} = require('./support/server');
const {Recorder, recordStatus} = require('./support/recorder');

describeServer('gap on resume', () => {
  let server;

  before(async () => {
    server = await startServer(['--history-size', '2']);
  });
  after(() => server.stop());

  test('onGap gets {reason: "too-old"} before what the history still holds', async () => {
    const hub = EventSourceHub.connect(server.stream, {json: true, EventSource});
    const seen = new Recorder();
    hub.on('n', (data) => seen.add({n: data}));
    hub.onGap((data, event) => seen.add({gap: data, name: event.name}));
    const statuses = recordStatus(hub);
    await statuses.next('open');
    await server.push({event: 'n', data: 1});
    await seen.count(1, 'event 1');
    hub.close();
    for (const n of [2, 3, 4, 5]) await server.push({event: 'n', data: n});
    hub.reconnect();
    await seen.count(4, 'the gap and events 4 and 5');
    hub.close();
    assert.deepEqual(seen.entries, [{n: 1}, {gap: {reason: 'too-old'}, name: 'eventsource-gap'}, {n: 4}, {n: 5}]);
  });
});
