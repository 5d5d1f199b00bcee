// Nothing lost, nothing twice, in Chromium on the demo page: through a pause (the hub sends
// the stream away for a short delay; the EventSource comes back with Last-Event-ID) and
// through a reload (the page resumes from the id it kept in sessionStorage).

import assert from 'node:assert/strict';
import {after, before} from 'node:test';
import {browserTest, chrome, launchChromium, openDemo, recorded, shownRows, startServer, waitInPage} from './support.mjs';

const launched = await launchChromium();
let hub = null;

before(async () => {
  if (launched.skip) return;
  hub = await startServer(['--demo']);
});

after(() => hub?.stop());

// The demo page on `server`, once the hub lists its stream.
async function openListed(t, server = hub) {
  const page = await openDemo(t, launched.browser, server);
  await server.until((list) => list.filter(chrome).length === 1, 'the demo page\'s stream');
  return page;
}

async function publish(from, count, published) {
  for (let i = from; i < from + count; ++i) {
    const {id} = await hub.push({data: `event ${i}`});
    published.push({id, data: `event ${i}`});
  }
}

// The ids the page added to #log, in the order it added them, must be those published.
async function assertExactlyOnce(page, published) {
  const seen = await recorded(page);
  const streams = JSON.stringify((await hub.connections()).filter(chrome).map((stream) => stream.resume));
  const ids = seen.rows.map((row) => row.id);
  const duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
  assert.deepEqual(duplicates, [], 'no event twice');
  assert.deepEqual(seen.rows.map(({id, data}) => ({id, data})), published,
    `every event once, in order; the page added ${JSON.stringify(seen.rows)}; resumed ${streams}`);
}

browserTest(launched, 'pause and resume: events published during a pause arrive once, in order', async (t) => {
  const page = await openListed(t);
  const published = [];
  await publish(1, 3, published);
  await waitInPage(page, 'three rows', () => document.querySelectorAll('#log li').length === 3);
  const before = (await hub.connections()).find(chrome);

  const paused = await hub.pause({delay: 500});
  assert.equal(paused.paused, 1);
  await publish(4, 5, published);
  await waitInPage(page, 'eight rows', () => document.querySelectorAll('#log li').length === 8);

  await assertExactlyOnce(page, published);
  // It really was sent away and came back by itself, resuming with the Last-Event-ID header
  // from the last event it had.
  const seen = await recorded(page);
  assert.ok(seen.statuses.some((entry) => entry.status === 'reconnecting'), JSON.stringify(seen.statuses));
  assert.equal(seen.statuses.at(-1).status, 'open');
  const resumed = (await hub.connections()).filter(chrome);
  assert.equal(resumed.length, 1);
  assert.notEqual(resumed[0].id, before.id, 'a new stream');
  assert.equal(resumed[0].resume.via, 'header');
  assert.equal(resumed[0].resume.status, 'exact');
  assert.equal(resumed[0].resume.lastEventId, published[2].id);
  assert.equal(await page.textContent('#last-id'), published.at(-1).id);
  assert.equal(await page.textContent('#count'), '8');
  assert.deepEqual(page.problems, []);
});

browserTest(launched, 'reload: the page resumes from sessionStorage, events published meanwhile arrive once', async (t) => {
  const page = await openListed(t);
  const published = [];
  await publish(1, 3, published);
  await waitInPage(page, 'three rows', () => document.querySelectorAll('#log li').length === 3);
  const firstDoc = (await recorded(page)).rows[0].doc;

  // Publish while the page reloads: some events may still reach the old page, the others
  // the new one, from the id the old one kept.
  const reloading = page.reload();
  await publish(4, 4, published);
  await reloading;
  await publish(8, 2, published);
  await waitInPage(page, 'the events after the reload',
    (last) => document.querySelector('#log li span.id')?.textContent.trim() === last, published.at(-1).id);

  await assertExactlyOnce(page, published);
  const seen = await recorded(page);
  const docs = [...new Set(seen.rows.map((row) => row.doc))];
  assert.equal(docs[0], firstDoc);
  assert.ok(docs.length === 2, `rows from the page before and after the reload: ${JSON.stringify(seen.rows)}`);
  const oldRows = seen.rows.filter((row) => row.doc === firstDoc);
  const newRows = seen.rows.filter((row) => row.doc !== firstDoc);
  // The new page shows only what came after the old page's last event, newest first.
  assert.deepEqual((await shownRows(page)).map((row) => row.id), newRows.map((row) => row.id).reverse());
  assert.equal(await page.textContent('#count'), String(newRows.length));
  // It asked the hub to resume after the old page's last event, given in the URL.
  const streams = (await hub.connections()).filter(chrome);
  assert.equal(streams.length, 1);
  assert.equal(streams[0].resume.via, 'query');
  assert.equal(streams[0].resume.status, 'exact');
  assert.equal(streams[0].resume.lastEventId, oldRows.at(-1).id);

  // And a pause after the reload (the URL still says ?lastEventId=<old id>) loses nothing
  // and replays nothing twice: the EventSource's Last-Event-ID header is the newer id.
  await hub.pause({delay: 300});
  await publish(10, 3, published);
  await waitInPage(page, 'the events after the pause',
    (last) => document.querySelector('#log li span.id')?.textContent.trim() === last, published.at(-1).id);
  await assertExactlyOnce(page, published);
  const again = (await hub.connections()).filter(chrome);
  assert.equal(again.length, 1);
  assert.equal(again[0].resume.via, 'header');
  assert.equal(again[0].resume.lastEventId, published[8].id);
  assert.deepEqual(page.problems, []);
});

browserTest(launched, 'resume after the history moved on: the demo shows the gap, then what the history still holds', async (t) => {
  const small = await startServer(['--demo', '--history-size', '2']);
  t.after(() => small.stop());
  const page = await openListed(t, small);
  const first = await small.push({data: 'seen'});
  await waitInPage(page, 'the first row', () => document.querySelectorAll('#log li').length === 1);

  // Away from the page (its sessionStorage stays), while more is published than the hub keeps.
  await page.goto(`${small.base}/eventsource-hub.js`);
  await small.until((list) => list.filter(chrome).length === 0, 'the demo page\'s stream closed');
  const later = [];
  for (let i = 1; i <= 4; ++i) later.push((await small.push({data: `missed ${i}`})).id);
  await page.goto(`${small.base}/demo`);
  await waitInPage(page, 'the gap shown', () => !document.getElementById('gap').hidden);
  assert.match(await page.textContent('#gap'), /too-old/);
  await waitInPage(page, 'the two events the history still holds', () => document.querySelectorAll('#log li').length === 2);
  assert.deepEqual((await shownRows(page)).map((row) => row.id), [later[3], later[2]]);
  const streams = (await small.connections()).filter(chrome);
  assert.equal(streams[0].resume.lastEventId, first.id);
  assert.equal(streams[0].resume.status, 'too-old');
  assert.deepEqual(page.problems, []);
});
