'use strict';
// The helper with event-source-polyfill as its EventSource, as in a browser without one.
// Under Node the polyfill streams with fetch (it has no XMLHttpRequest here).

const {test, before, after, afterEach} = require('node:test');
const assert = require('node:assert/strict');
const {EventSourcePolyfill} = require('event-source-polyfill');

const EventSourceHub = require('..');
const {describeServer, startServer} = require('./support/server');
const {pushAcrossAPause, record, recordStatus} = require('./support/recorder');

describeServer('with event-source-polyfill', () => {
  let server;
  const hubs = [];
  const connect = (options) => {
    const hub = EventSourceHub.connect(server.stream, Object.assign({EventSource: EventSourcePolyfill}, options));
    hubs.push(hub);
    return hub;
  };

  before(async () => {
    server = await startServer();
  });
  afterEach(() => {
    hubs.splice(0).forEach((hub) => hub.close());
  });
  after(() => server.stop());

  test('filtered JSON events arrive', async () => {
    const hub = connect({events: ['a'], json: true});
    const events = record(hub, ['a', 'b']);
    await recordStatus(hub).next('open');
    await server.push({event: 'b', data: {n: 1}});
    const {id} = await server.push({event: 'a', data: {n: 2}});
    await events.count(1, 'event a');
    assert.deepEqual(events.entries, [{name: 'a', data: {n: 2}, id}]);
  });

  test('after the server closes the stream, the polyfill resumes by itself: nothing lost', async () => {
    const {events, statuses} = await pushAcrossAPause(connect({json: true}), server);
    assert.deepEqual(events.entries.map((entry) => entry.data), [1, 2]);
    assert.deepEqual(statuses.entries.map((entry) => entry.status), ['connecting', 'open', 'reconnecting', 'open']);
  });

  test('reconnect() after close() resumes from the last id', async () => {
    const hub = connect({json: true});
    const events = record(hub, ['n']);
    const statuses = recordStatus(hub);
    await statuses.next('open');
    await server.push({event: 'n', data: 1});
    await events.count(1, 'event 1');
    hub.close();
    await server.push({event: 'n', data: 2});
    hub.reconnect();
    await events.count(2, 'event 2 replayed');
    assert.deepEqual(events.entries.map((entry) => entry.data), [1, 2]);
  });
});
