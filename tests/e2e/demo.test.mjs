// The demo page (GET /demo with --demo and --users) in Chromium, driven through its form
// as a person would: subscribe with filters, log in and out, see what arrives in #log.

import assert from 'node:assert/strict';
import {after, before} from 'node:test';
import {browserTest, chrome, launchChromium, openDemo, recorded, shownRows, startServer, waitInPage, writeUsers} from './support.mjs';

const launched = await launchChromium();
let hub = null;

before(async () => {
  if (launched.skip) return;
  const users = writeUsers({groups: [{id: 'g1', name: 'Marketing'}], users: [
    {id: 'u1', name: 'alice', password: 'alice-pw', groups: ['g1']},
    {id: 'u2', name: 'bob', password: 'bob-pw', groups: []},
  ]});
  hub = await startServer(['--demo', '--users', users]);
});

after(() => hub?.stop());

const openDemoPage = (t) => openDemo(t, launched.browser, hub);

browserTest(launched, 'demo: subscribe with a filter and JSON from the form', async (t) => {
  const page = await openDemoPage(t);
  await page.fill('#events', 'news, prices');
  await page.check('#json');
  await page.click('#connect');
  await waitInPage(page, 'the filtered stream open', () => document.getElementById('status').textContent === 'open'
    && document.getElementById('url').textContent.endsWith('/eventsource/news,prices'));
  await hub.until((list) => list.length === 1 && list.some((connection) => chrome(connection)
    && connection.filter.join() === 'news,prices'), 'only the filtered stream');

  await hub.push({event: 'other', data: {skip: true}});
  await hub.push({data: 'unnamed'});
  const news = await hub.push({event: 'news', data: {title: 'hello', n: 1}});
  const prices = await hub.push({event: 'prices', data: {ESH: 42}});
  await waitInPage(page, 'two rows', () => document.querySelectorAll('#log li').length === 2);
  // With "data is JSON" the page parsed the data, and shows it as JSON again.
  const rows = (await shownRows(page)).map((row) => ({...row, data: JSON.parse(row.data)}));
  assert.deepEqual(rows, [
    {event: 'prices', id: prices.id, name: 'prices', data: {ESH: 42}},
    {event: 'news', id: news.id, name: 'news', data: {title: 'hello', n: 1}},
  ]);
  assert.equal(await page.textContent('#count'), '2');
  assert.equal(await page.textContent('#last-id'), prices.id);
  assert.deepEqual(page.problems, []);
});

browserTest(launched, 'demo: a wrong password is shown in #login-error and changes nobody', async (t) => {
  const page = await openDemoPage(t);
  await page.fill('#username', 'alice');
  await page.fill('#password', 'not her password');
  await page.click('#login button[type="submit"]');
  await waitInPage(page, 'the login error', () => document.getElementById('login-error').textContent !== '');
  assert.equal(await page.textContent('#who'), 'anonymous');
  assert.equal(await page.inputValue('#password'), '', 'the password field is cleared');
  const streams = await hub.connections();
  assert.deepEqual(streams.filter(chrome).map((connection) => connection.userName), [null]);
});

browserTest(launched, 'demo: log in as alice and out again, the stream follows', async (t) => {
  const page = await openDemoPage(t);
  const first = await hub.push({data: 'before login'});
  await waitInPage(page, 'the first row', () => document.querySelectorAll('#log li').length === 1);

  await page.fill('#username', 'alice');
  await page.fill('#password', 'alice-pw');
  await page.click('#login button[type="submit"]');
  await waitInPage(page, '#who alice', () => document.getElementById('who').textContent === 'alice');
  assert.equal(await page.textContent('#login-error'), '');
  // The page's only stream is now alice's (login closed the anonymous one; the page reconnected).
  await hub.until((list) => list.length === 1 && list[0].userName === 'alice' && chrome(list[0]), 'the stream under alice');

  await hub.push({data: 'to bob', target: {users: ['u2']}});
  const toAlice = await hub.push({data: 'to alice', target: {users: ['u1']}});
  const toGroup = await hub.push({data: 'to Marketing', target: {groups: ['g1']}});
  await waitInPage(page, 'alice\'s rows', () => document.querySelectorAll('#log li').length === 3);

  await page.click('#logout');
  await waitInPage(page, '#who anonymous', () => document.getElementById('who').textContent === 'anonymous');
  await hub.until((list) => list.length === 1 && list[0].userName === null && chrome(list[0]), 'the stream anonymous again');
  await hub.push({data: 'to alice, logged out', target: {users: ['u1']}});
  const broadcast = await hub.push({data: 'to everyone'});
  await waitInPage(page, 'the broadcast row', () => document.querySelectorAll('#log li').length === 4);

  const expected = [
    {event: 'message', id: broadcast.id, name: 'message', data: 'to everyone'},
    {event: 'message', id: toGroup.id, name: 'message', data: 'to Marketing'},
    {event: 'message', id: toAlice.id, name: 'message', data: 'to alice'},
    {event: 'message', id: first.id, name: 'message', data: 'before login'},
  ];
  assert.deepEqual(await shownRows(page), expected);
  // Every row the page ever added (none added and removed again), in order.
  assert.deepEqual((await recorded(page)).rows.map(({doc, ...row}) => row), expected.slice().reverse());
  assert.equal(await page.textContent('#count'), '4');
  assert.deepEqual(page.problems, []);
});
