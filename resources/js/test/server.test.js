'use strict';
// The helper against a real eventsource-server, with the npm eventsource package as EventSource.

const {test, before, after, afterEach} = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {EventSource} = require('eventsource');

const EventSourceHub = require('..');
const {describeServer, startServer} = require('./support/server');
const {pushAcrossAPause, record, recordStatus} = require('./support/recorder');

describeServer('against the server', () => {
  let server;
  const hubs = [];
  const connect = (url, options = {}) => {
    const hub = EventSourceHub.connect(url, Object.assign({EventSource}, options));
    hubs.push(hub);
    return hub;
  };
  // Resolves once the stream is registered on the server, so a push reaches it.
  const opened = (hub) => recordStatus(hub).until((entries) => entries.some((entry) => entry.status === 'open'), 'open');

  before(async () => {
    server = await startServer();
  });
  afterEach(() => {
    hubs.splice(0).forEach((hub) => hub.close());
  });
  after(() => server.stop());

  test('events arrive with their id and name, JSON parsed once for two handlers', async (t) => {
    const hub = connect(server.stream, {json: true});
    const first = record(hub, ['price']);
    const second = record(hub, ['price']);
    await opened(hub);
    const parse = t.mock.method(JSON, 'parse');
    const {id, delivered} = await server.push({event: 'price', data: {symbol: 'ACME', value: 12.5}});
    assert.equal(delivered, 1);
    await second.count(1, 'price event');
    const parsedEvent = parse.mock.calls.filter((call) => call.arguments[0] === '{"symbol":"ACME","value":12.5}');
    assert.equal(parsedEvent.length, 1);
    assert.deepEqual(first.entries, [{name: 'price', data: {symbol: 'ACME', value: 12.5}, id}]);
    assert.equal(first.entries[0].data, second.entries[0].data, 'both handlers get the same object');
  });

  test('unnamed events reach on("message"), as text without json', async () => {
    const hub = connect(server.stream);
    const messages = record(hub, ['message']);
    await opened(hub);
    const {id} = await server.push({data: 'hello\nworld'});
    await messages.count(1, 'message');
    assert.deepEqual(messages.entries, [{name: 'message', data: 'hello\nworld', id}]);
  });

  test('events: ["a", "c"] receives only those names', async () => {
    const hub = connect(server.stream, {events: ['a', 'c']});
    const events = record(hub, ['a', 'b', 'c', 'message']);
    await opened(hub);
    const filters = (await server.connections()).map((stream) => stream.filter);
    assert.deepEqual(filters.filter((filter) => filter.length > 0), [['a', 'c']]);
    for (const event of ['b', 'a', undefined, 'c']) await server.push({event, data: String(event)});
    await events.until((entries) => entries.some((entry) => entry.name === 'c'), 'event c');
    assert.deepEqual(events.entries.map((entry) => entry.name), ['a', 'c']);
  });

  test('statuses: connecting, open; reconnecting and open again after the server closes it; closed', async () => {
    const hub = connect(server.stream);
    const statuses = recordStatus(hub);
    await statuses.next('open');
    await server.pause({delay: 50});
    await statuses.next('open');
    hub.close();
    assert.deepEqual(statuses.entries, [
      {status: 'connecting', readyState: 0},
      {status: 'open', readyState: 1},
      {status: 'reconnecting', readyState: 0},
      {status: 'open', readyState: 1},
      {status: 'closed', readyState: 2},
    ]);
  });

  test('a stream the server refuses is closed, not retried', async () => {
    const hub = connect(server.base + '/not-the-stream');
    const statuses = recordStatus(hub);
    await statuses.next('closed');
    assert.deepEqual(statuses.entries, [{status: 'connecting', readyState: 0}, {status: 'closed', readyState: 2}]);
  });

  test('after the server closes the stream, the EventSource resumes by itself: nothing lost', async () => {
    const {events} = await pushAcrossAPause(connect(server.stream, {json: true}), server);
    assert.deepEqual(events.entries.map((entry) => entry.data), [1, 2]);
  });

  test('close() stops delivery; reconnect() resumes from the last id with nothing lost', async () => {
    const hub = connect(server.stream, {json: true});
    const events = record(hub, ['n']);
    const watcher = connect(server.stream, {json: true});
    const watched = record(watcher, ['n']);
    await Promise.all([opened(hub), opened(watcher)]);
    const first = await server.push({event: 'n', data: 1});
    await events.count(1, 'event 1');
    hub.close();
    assert.equal(hub.status, 'closed');
    await server.push({event: 'n', data: 2});
    await server.push({event: 'n', data: 3});
    await watched.count(3, 'events 1 to 3 on the other stream');
    assert.deepEqual(events.entries.map((entry) => entry.data), [1], 'nothing after close()');
    assert.equal(hub.lastEventId, first.id);

    const statuses = recordStatus(hub);
    hub.reconnect();
    await statuses.next('open');
    await events.count(3, 'events 2 and 3 replayed');
    assert.deepEqual(events.entries.map((entry) => entry.data), [1, 2, 3]);
    const resumed = (await server.connections()).find((stream) => stream.resume.lastEventId === first.id);
    assert.deepEqual(resumed.resume, {lastEventId: first.id, via: 'query', status: 'exact', replayed: 2});
  });

  test('GET /eventsource-hub.js serves this file', async (t) => {
    const response = await fetch(server.base + '/eventsource-hub.js');
    if (response.status === 404) {
      t.skip('this server does not serve /eventsource-hub.js yet');
      return;
    }
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /javascript/);
    assert.equal(await response.text(), fs.readFileSync(path.join(__dirname, '..', 'eventsource-hub.js'), 'utf8'));
  });
});
