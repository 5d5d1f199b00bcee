// The client helper in Chromium, in a page of another origin than the hub's: the page
// server (http://127.0.0.1:<page port>) loads http://127.0.0.1:<hub port>/eventsource-hub.js
// by a script tag and connects withCredentials to the hub started with --allow-origin for
// that origin only. A second page server is an origin the hub does not allow.

import assert from 'node:assert/strict';
import {after, before} from 'node:test';
import {browserTest, chrome, launchChromium, newPage, startPageServer, startServer, waitInPage, writeUsers} from './support.mjs';

const launched = await launchChromium();

let hub = null;
let allowed = null;
let refused = null;

// The page: the helper from the hub's origin, and a little state the tests read.
function page() {
  return `<!doctype html><meta charset="utf-8"><title>helper from another origin</title>
<script src="${hub.base}/eventsource-hub.js"></script>
<script>
window.subscribe = function (key, url, options, names) {
  const entry = {got: [], statuses: [], errors: []};
  window[key] = entry;
  entry.hub = EventSourceHub.connect(url, options);
  names.forEach((name) => entry.hub.on(name, (data, event) => entry.got.push({name: event.name, id: event.id, data: data})));
  entry.hub.onStatus((status) => entry.statuses.push(status));
  entry.hub.onError((error) => entry.errors.push(error.message));
};
</script>`;
}

before(async () => {
  if (launched.skip) return;
  allowed = await startPageServer({'/': page});
  refused = await startPageServer({'/': page});
  const users = writeUsers({groups: [{id: 'g1', name: 'Marketing'}],
    users: [{id: 'u1', name: 'alice', password: 'alice-pw', groups: ['g1']}]});
  hub = await startServer(['--allow-origin', allowed.origin, '--users', users]);
});

after(async () => {
  await hub?.stop();
  await allowed?.close();
  await refused?.close();
});

async function open(t, origin) {
  const {context, page: tab} = await newPage(launched.browser);
  t.after(() => context.close());
  await tab.goto(`${origin}/`);
  assert.equal(await tab.evaluate(() => typeof window.EventSourceHub), 'object',
    `the helper did not load from ${hub.base}/eventsource-hub.js: ${JSON.stringify(tab.problems)}`);
  return tab;
}

browserTest(launched, 'cross-origin: JSON events arrive parsed, and a named-event filter gets only its names', async (t) => {
  const tab = await open(t, allowed.origin);
  await tab.evaluate(({stream}) => {
    window.subscribe('all', stream, {json: true, withCredentials: true}, ['quote', 'news']);
    window.subscribe('filtered', stream, {events: ['news'], withCredentials: true}, ['quote', 'news']);
  }, {stream: hub.stream});
  await waitInPage(tab, 'both streams open', () => window.all.statuses.includes('open') && window.filtered.statuses.includes('open'));
  const streams = await hub.until((list) => list.filter(chrome).length === 2, 'the two streams of the page');
  assert.deepEqual(streams.map((connection) => connection.filter).sort(), [[], ['news']]);

  const quote = {symbol: 'ESH', value: 42.5, tags: ['a', 'b'], nested: {ok: true, none: null}};
  const first = await hub.push({event: 'quote', data: quote});
  const second = await hub.push({event: 'news', data: {title: 'héllo "world"'}});
  await waitInPage(tab, 'the news event on both streams',
    () => window.all.got.length === 2 && window.filtered.got.length === 1);

  const [all, filtered, errors] = await tab.evaluate(() => [window.all.got, window.filtered.got,
    window.all.errors.concat(window.filtered.errors)]);
  assert.deepEqual(all, [
    {name: 'quote', id: first.id, data: quote},
    {name: 'news', id: second.id, data: {title: 'héllo "world"'}},
  ]);
  // Without json: the text as sent; and the quote, published first, never came.
  assert.deepEqual(filtered, [{name: 'news', id: second.id, data: JSON.stringify({title: 'héllo "world"'})}]);
  assert.deepEqual(errors, []);
  assert.deepEqual(tab.problems, []);
  await tab.evaluate(() => { window.all.hub.close(); window.filtered.hub.close(); });
  await hub.until((list) => list.filter(chrome).length === 0, 'the page\'s streams closed');
});

browserTest(launched, 'cross-origin: an origin not allowed is refused and gets nothing', async (t) => {
  const good = await open(t, allowed.origin);
  const bad = await open(t, refused.origin);
  for (const tab of [good, bad]) {
    await tab.evaluate(({stream}) => window.subscribe('sub', stream, {withCredentials: true}, ['message', 'quote']),
      {stream: hub.stream});
  }
  await waitInPage(bad, 'the refused stream closed', () => window.sub.statuses.includes('closed'));
  await waitInPage(good, 'the allowed stream open', () => window.sub.statuses.includes('open'));
  await hub.until((list) => list.filter(chrome).length === 1, 'only the allowed page\'s stream');

  const sent = await hub.push({data: 'for everyone'});
  await waitInPage(good, 'the broadcast on the allowed page', () => window.sub.got.length === 1);
  assert.deepEqual(await good.evaluate(() => window.sub.got), [{name: 'message', id: sent.id, data: 'for everyone'}]);
  // The refused page: its EventSource failed and gave up, and nothing came in.
  assert.deepEqual(await bad.evaluate(() => ({got: window.sub.got, statuses: window.sub.statuses})),
    {got: [], statuses: ['connecting', 'closed']});
  assert.equal((await hub.connections()).filter(chrome).length, 1);
  // Chromium says why: the hub gave that origin no Access-Control-Allow-Origin.
  assert.ok(bad.problems.some((problem) => problem.includes(`from origin '${refused.origin}' has been blocked by CORS policy`)),
    JSON.stringify(bad.problems));
  assert.deepEqual(good.problems, []);
  await good.evaluate(() => window.sub.hub.close());
  await hub.until((list) => list.filter(chrome).length === 0, 'the page\'s stream closed');
});

browserTest(launched, 'cross-origin: login and logout with credentials re-identify the stream, nothing lost or twice', async (t) => {
  const tab = await open(t, allowed.origin);
  await tab.evaluate(({stream}) => window.subscribe('sub', stream, {withCredentials: true}, ['message']), {stream: hub.stream});
  await hub.until((list) => list.some((connection) => chrome(connection) && connection.userName === null), 'an anonymous stream');
  const ids = [];
  ids.push((await hub.push({data: 'before login'})).id);
  await waitInPage(tab, 'the first event', () => window.sub.got.length === 1);

  // A JSON POST from another origin: the preflight, then the session cookie set for the hub.
  const login = await tab.evaluate(async ({base}) => {
    const answer = await fetch(`${base}/login`, {method: 'POST', credentials: 'include',
      headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username: 'alice', password: 'alice-pw'})});
    const body = await answer.json();
    window.sub.hub.reconnect();
    return {status: answer.status, body};
  }, {base: hub.base});
  assert.equal(login.status, 200, JSON.stringify(login.body));
  await hub.until((list) => list.some((connection) => chrome(connection) && connection.userName === 'alice'),
    'the stream under alice');
  ids.push((await hub.push({data: 'to alice', target: {users: ['u1']}})).id);
  ids.push((await hub.push({data: 'to Marketing', target: {groups: ['g1']}})).id);
  await waitInPage(tab, 'the targeted events', () => window.sub.got.length === 3);

  const logout = await tab.evaluate(async ({base}) => {
    const answer = await fetch(`${base}/logout`, {method: 'POST', credentials: 'include'});
    window.sub.hub.reconnect();
    return answer.status;
  }, {base: hub.base});
  assert.equal(logout, 200);
  await hub.until((list) => list.filter(chrome).length === 1
    && list.some((connection) => chrome(connection) && connection.userName === null), 'the stream anonymous again');
  await hub.push({data: 'to alice, logged out', target: {users: ['u1']}});
  ids.push((await hub.push({data: 'after logout'})).id);
  await waitInPage(tab, 'the broadcast after logout', () => window.sub.got.some((event) => event.data === 'after logout'));

  const got = await tab.evaluate(() => window.sub.got);
  assert.deepEqual(got.map((event) => event.data), ['before login', 'to alice', 'to Marketing', 'after logout']);
  assert.deepEqual(got.map((event) => event.id), ids);
  assert.deepEqual(tab.problems, []);
  await tab.evaluate(() => window.sub.hub.close());
});
