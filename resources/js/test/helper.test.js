'use strict';
// The helper on its own, with a fake EventSource: input checks, URLs, dispatch, statuses.

const {test, describe, afterEach} = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const EventSourceHub = require('..');
const {FakeEventSource} = require('./support/fake-eventsource');
const {record, recordStatus} = require('./support/recorder');

const connect = (options = {}) => EventSourceHub.connect('/eventsource', Object.assign({EventSource: FakeEventSource}, options));

afterEach(() => {
  FakeEventSource.instances.length = 0;
});

describe('input', () => {
  test('a url that is not a non-empty string is a TypeError', () => {
    for (const url of [undefined, 42, '', new URL('http://localhost/eventsource')]) {
      assert.throws(() => EventSourceHub.connect(url, {EventSource: FakeEventSource}),
        {name: 'TypeError', message: /url must be a non-empty string/});
    }
  });

  test('options that are not an object are a TypeError', () => {
    for (const options of [null, 'json', [], true]) {
      assert.throws(() => EventSourceHub.connect('/eventsource', options),
        {name: 'TypeError', message: /options must be an object/});
    }
  });

  test('an unknown option is a TypeError naming it', () => {
    assert.throws(() => connect({event: ['a']}),
      {name: 'TypeError', message: /unknown option "event" \(known: events, json, withCredentials, EventSource\)/});
  });

  test('events must be a non-empty array of event names', () => {
    for (const events of ['a,b', [], ['a', ''], ['a,b'], ['a\nb'], [7]]) {
      assert.throws(() => connect({events}), {name: 'TypeError', message: /events/});
    }
  });

  test('json and withCredentials must be booleans, EventSource a constructor', () => {
    assert.throws(() => connect({json: 'yes'}), {name: 'TypeError', message: /json must be true or false/});
    assert.throws(() => connect({withCredentials: 1}), {name: 'TypeError', message: /withCredentials must be true or false/});
    assert.throws(() => connect({EventSource: {}}), {name: 'TypeError', message: /EventSource must be a constructor/});
  });

  test('handlers must be functions, event names non-empty strings', () => {
    const hub = connect();
    assert.throws(() => hub.on('a'), {name: 'TypeError', message: /on needs a function/});
    assert.throws(() => hub.on('', () => {}), {name: 'TypeError', message: /on needs an event name/});
    assert.throws(() => hub.onGap(null), {name: 'TypeError', message: /on needs a function/});
    assert.throws(() => hub.onStatus('x'), {name: 'TypeError', message: /onStatus needs a function/});
    assert.throws(() => hub.onError(), {name: 'TypeError', message: /onError needs a function/});
  });
});

describe('EventSource', () => {
  const saved = globalThis.EventSource;
  afterEach(() => {
    globalThis.EventSource = saved;
  });

  test('without one, connect says to load a polyfill', () => {
    delete globalThis.EventSource;
    assert.throws(() => EventSourceHub.connect('/eventsource'),
      {message: /no EventSource: load a polyfill such as event-source-polyfill .* or pass one as \{EventSource: \.\.\.\}/});
  });

  test('the global one is used when none is given', () => {
    globalThis.EventSource = FakeEventSource;
    EventSourceHub.connect('/eventsource');
    assert.equal(FakeEventSource.latest().url, '/eventsource');
  });

  test('withCredentials is passed on', () => {
    connect({withCredentials: true});
    assert.deepEqual(FakeEventSource.latest().init, {withCredentials: true});
    connect();
    assert.deepEqual(FakeEventSource.latest().init, {withCredentials: false});
  });
});

describe('classic script', () => {
  test('defines EventSourceHub on the global object, without module', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'eventsource-hub.js'), 'utf8');
    const window = vm.createContext({EventSource: FakeEventSource, setTimeout});
    vm.runInContext(source, window, {filename: 'eventsource-hub.js'});
    assert.equal(typeof window.EventSourceHub.connect, 'function');
    window.EventSourceHub.connect('/eventsource', {events: ['a']});
    assert.equal(FakeEventSource.latest().url, '/eventsource/a');
  });
});

describe('URLs', () => {
  test('events become the /a,b path filter, before any query', () => {
    connect({events: ['a', 'b']});
    assert.equal(FakeEventSource.latest().url, '/eventsource/a,b');
    EventSourceHub.connect('http://hub.example/eventsource/?x=1', {EventSource: FakeEventSource, events: ['a b', 'c']});
    assert.equal(FakeEventSource.latest().url, 'http://hub.example/eventsource/a%20b,c?x=1');
  });

  test('reconnect() resumes with ?lastEventId=, replacing an older one', () => {
    const hub = EventSourceHub.connect('/eventsource?x=1&lastEventId=old#top', {EventSource: FakeEventSource, events: ['a']});
    hub.on('a', () => {});
    hub.reconnect();
    assert.equal(FakeEventSource.latest().url, '/eventsource/a?x=1&lastEventId=old#top', 'no id seen yet: the URL as given');
    FakeEventSource.latest().emit('a', '1', 'epoch-7');
    assert.equal(hub.lastEventId, 'epoch-7');
    hub.reconnect();
    assert.equal(FakeEventSource.latest().url, '/eventsource/a?x=1&lastEventId=epoch-7');
  });
});

describe('dispatch', () => {
  test('JSON is parsed once for every handler, which gets the event too', (t) => {
    const hub = connect({json: true});
    const first = record(hub, ['a']);
    const second = record(hub, ['a']);
    const parse = t.mock.method(JSON, 'parse');
    FakeEventSource.latest().emit('a', '{"n":1}', 'epoch-1');
    assert.equal(parse.mock.callCount(), 1);
    assert.deepEqual(first.entries, [{name: 'a', data: {n: 1}, id: 'epoch-1'}]);
    assert.equal(first.entries[0].data, second.entries[0].data, 'the same object');
  });

  test('without json, handlers get the text', () => {
    const hub = connect();
    let got;
    hub.on('message', (data, event) => { got = {data, event}; });
    FakeEventSource.latest().emit('message', '{"n":1}', 'epoch-1');
    assert.equal(got.data, '{"n":1}');
    assert.equal(got.event.data, '{"n":1}');
    assert.equal(got.event.name, 'message');
    assert.equal(got.event.message.type, 'message');
  });

  test('data that is not JSON goes to onError, never to the handlers', () => {
    const hub = connect({json: true});
    const events = record(hub, ['a']);
    const errors = [];
    hub.onError((error, event) => errors.push({error, event}));
    FakeEventSource.latest().emit('a', 'not json', 'epoch-1');
    FakeEventSource.latest().emit('a', '2', 'epoch-2');
    assert.deepEqual(events.entries, [{name: 'a', data: 2, id: 'epoch-2'}]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].error.name, 'SyntaxError');
    assert.match(errors[0].error.message, /event "a" \(id "epoch-1"\) has data that is not JSON/);
    assert.equal(errors[0].event.data, 'not json');
  });

  test('a handler that throws is reported, the others still run', (t) => {
    const reported = [];
    t.mock.method(globalThis, 'setTimeout', (callback) => reported.push(callback));
    const hub = connect();
    const events = record(hub, ['a']);
    hub.on('a', () => { throw new Error('handler bug'); });
    const after = record(hub, ['a']);
    FakeEventSource.latest().emit('a', 'x');
    assert.equal(events.entries.length, 1);
    assert.equal(after.entries.length, 1);
    assert.equal(reported.length, 1);
    assert.throws(reported[0], {message: 'handler bug'});
  });

  test('the function on() returns removes the handler', () => {
    const hub = connect();
    const kept = record(hub, ['a']);
    let removedCalls = 0;
    const off = hub.on('a', () => { removedCalls += 1; });
    off();
    FakeEventSource.latest().emit('a', 'x');
    assert.equal(removedCalls, 0);
    assert.equal(kept.entries.length, 1);
  });

  test('onGap gets the parsed gap event, even without json', () => {
    const hub = connect();
    const gaps = record(hub, [EventSourceHub.GAP_EVENT]);
    let viaOnGap;
    hub.onGap((data) => { viaOnGap = data; });
    FakeEventSource.latest().emit('eventsource-gap', '{"reason":"too-old"}');
    assert.deepEqual(viaOnGap, {reason: 'too-old'});
    assert.deepEqual(gaps.entries, [{name: 'eventsource-gap', data: {reason: 'too-old'}, id: ''}]);
  });

  test('on("error") and on("open") get server events of those names, not the connection\'s own', () => {
    const hub = connect();
    const events = record(hub, ['error', 'open']);
    const statuses = recordStatus(hub);
    FakeEventSource.latest().open();
    FakeEventSource.latest().drop();
    FakeEventSource.latest().emit('error', 'server said so', 'epoch-1');
    FakeEventSource.latest().emit('open', 'door', 'epoch-2');
    assert.deepEqual(events.entries, [{name: 'error', data: 'server said so', id: 'epoch-1'}, {name: 'open', data: 'door', id: 'epoch-2'}]);
    assert.deepEqual(statuses.entries.map((entry) => entry.status), ['connecting', 'open', 'reconnecting']);
  });

  test('after reconnect(), the old EventSource is closed and heard no more', () => {
    const hub = connect();
    const events = record(hub, ['a']);
    const old = FakeEventSource.latest();
    hub.reconnect();
    assert.equal(old.readyState, 2);
    old.emit('a', 'stale', 'epoch-1');
    FakeEventSource.latest().emit('a', 'fresh', 'epoch-2');
    assert.deepEqual(events.entries.map((entry) => entry.data), ['fresh']);
  });
});

describe('status', () => {
  test('connecting, open, reconnecting, open, closed: each once, with readyState', () => {
    const hub = connect();
    const statuses = recordStatus(hub);
    const source = FakeEventSource.latest();
    source.open();
    source.drop();
    source.drop();
    source.open();
    hub.close();
    assert.deepEqual(statuses.entries, [
      {status: 'connecting', readyState: 0},
      {status: 'open', readyState: 1},
      {status: 'reconnecting', readyState: 0},
      {status: 'open', readyState: 1},
      {status: 'closed', readyState: 2},
    ]);
    assert.equal(hub.status, 'closed');
  });

  test('a refused stream is closed; reconnect() tries again', () => {
    const hub = connect();
    const statuses = recordStatus(hub);
    FakeEventSource.latest().refuse();
    hub.reconnect();
    FakeEventSource.latest().open();
    assert.deepEqual(statuses.entries.map((entry) => entry.status), ['connecting', 'closed', 'connecting', 'open']);
  });
});
