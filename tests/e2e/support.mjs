// What the Chromium end-to-end tests share (issue 15): the real eventsource-server on free
// loopback ports with its admin API, a tiny page server of another origin (Node's http
// module), and Chromium through playwright-core. When Chromium cannot start, every test is
// skipped with the reason (printed as "SKIP: Chromium cannot start: ...") and run.mjs
// makes the run exit 77, which CTest reports as skipped: never a silent pass.

import {spawn, execFileSync} from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {after, test} from 'node:test';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// Each wait is a guard that turns a hang into a failure naming what never came, not a
// measure of speed.
export const WAIT_MS = 15000;

if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  throw new Error('tests/e2e/node_modules is missing: run npm ci in tests/e2e (resources/scripts/test.sh does)');
}
const {chromium} = await import('playwright-core');

function serverBinary() {
  const binary = process.env.ESH_SERVER || path.resolve(here, '../../build/server/eventsource-server');
  if (!fs.existsSync(binary)) {
    throw new Error(`no eventsource-server at ${binary}: build it, or set ESH_SERVER to the binary`);
  }
  return binary;
}

export const binary = serverBinary();

const temporary = fs.mkdtempSync(path.join(os.tmpdir(), 'eventsource-hub-e2e-'));
process.on('exit', () => fs.rmSync(temporary, {recursive: true, force: true}));

// A users file for --users; passwords are given in clear here and hashed by the server.
export function writeUsers(directory) {
  const users = directory.users.map((user) => ({...user,
    password: execFileSync(binary, ['--hash-password'], {input: user.password}).toString().trim()}));
  const file = path.join(temporary, `users-${crypto.randomUUID()}.json`);
  fs.writeFileSync(file, JSON.stringify({groups: directory.groups || [], users}));
  return file;
}

// Starts the server; resolves once it has printed its ready line with both ports.
export async function startServer(args = []) {
  const token = crypto.randomBytes(24).toString('hex');
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--admin-token', token,
    ...args], {stdio: ['ignore', 'pipe', 'pipe']});
  // A test file that fails hard still leaves no server behind.
  const killer = () => child.kill('SIGKILL');
  process.on('exit', killer);
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const ports = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = /eventsource-server ready public=(\d+) admin=(\d+)/.exec(out);
      if (ready) resolve({public: Number(ready[1]), admin: Number(ready[2])});
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`eventsource-server exited (${code ?? signal}) before it was ready:\n${log}`)));
  });
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => {
    process.stderr.write(`eventsource-server exited (${code ?? signal}) during the tests:\n${log}\n`);
  });
  const base = `http://127.0.0.1:${ports.public}`;
  const admin = `http://127.0.0.1:${ports.admin}`;

  async function call(method, route, body) {
    const response = await fetch(admin + route, {
      method,
      headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  const server = {
    base,
    stream: `${base}/eventsource`,
    log: () => log,
    push: (body) => call('POST', '/api/push', body),
    pause: (body) => call('POST', '/api/pause', body),
    connections: async () => (await call('GET', '/api/connections')).connections,
    // Polls the admin API until predicate(connections) holds (e.g. the browser's stream is
    // registered under its new identity); resolves with the connections.
    async until(predicate, what) {
      const deadline = Date.now() + WAIT_MS;
      let connections = [];
      while (Date.now() < deadline) {
        connections = await server.connections();
        if (predicate(connections)) return connections;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`timed out waiting for ${what}; connections: ${JSON.stringify(connections)}`);
    },
    stop: () => new Promise((resolve) => {
      process.off('exit', killer);
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
  return server;
}

// A page server of its own origin, http://127.0.0.1:<port>: GET <route> answers
// routes[route]() as HTML (a function, so a page can name a hub started after it);
// anything else is 404.
export async function startPageServer(routes) {
  const server = http.createServer((request, response) => {
    const route = new URL(request.url, 'http://page').pathname;
    const page = Object.hasOwn(routes, route) ? routes[route]() : null;
    response.writeHead(page === null ? 404 : 200, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store'});
    response.end(page === null ? 'not found' : page);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const {port} = server.address();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

// Flags for Chromium in a container as root (as tests/integration/tst_browser.cpp): no
// sandbox, no GPU, /tmp instead of a small /dev/shm; and no connection of its own to the
// outside (a closed network refuses them). playwright-core adds --headless and a new profile.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const CHROMIUM = process.env.ESH_CHROMIUM || '/usr/bin/chromium';

// Launches Chromium once for a test file: {browser} or {skip: reason}.
export async function launchChromium() {
  try {
    const browser = await chromium.launch({executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60000});
    after(() => browser.close());
    return {browser};
  } catch (error) {
    const reason = `Chromium cannot start: ${String(error.message || error).split('\n')[0]}`;
    console.log(`SKIP: ${reason}`);
    // run.mjs turns this into exit code 77 (CTest: skipped).
    if (process.env.ESH_E2E_SKIP_FILE) fs.appendFileSync(process.env.ESH_E2E_SKIP_FILE, `${reason}\n`);
    return {skip: reason};
  }
}

// A test that runs in Chromium, or is skipped with the reason when it cannot start.
export function browserTest(launched, name, fn) {
  return test(name, {skip: launched.skip || false, timeout: 60000}, fn);
}

// A fresh profile (cookies, sessionStorage) per test; the page's console errors and
// uncaught exceptions are kept for the failure message.
export async function newPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    // Chromium asks every origin for /favicon.ico; neither page has one.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  // Which resource a "Failed to load resource" was (the console message does not say).
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  page.problems = problems;
  return {context, page};
}

// Waits for predicate(arg) in the page, naming what never came and what the page said.
export async function waitInPage(page, what, predicate, arg) {
  try {
    await page.waitForFunction(predicate, arg, {timeout: WAIT_MS, polling: 20});
  } catch (error) {
    throw new Error(`timed out waiting in the page for ${what} (${error.message.split('\n')[0]}); `
      + `page said: ${JSON.stringify(page.problems)}`);
  }
}

// Records every row the demo page adds to #log, and every status it shows, across reloads:
// an observer installed before the page's own scripts keeps each in sessionStorage (which
// a reload keeps, as the demo's own last id), tagged with the document (a reload starts a
// new one). sessionStorage, not a binding to the test: a binding call from a page being
// unloaded may never arrive, while the observer runs in the same turn as the demo's own
// handler (a microtask), so each row the demo shows and the id it keeps go together.
const RECORD_KEY = '__esh-e2e-record';

export async function recordDemo(page) {
  await page.addInitScript((key) => {
    const doc = Math.random().toString(36).slice(2);
    const text = (row, kind) => (row.querySelector(`span.${kind}`)?.textContent ?? '').trim();
    const keep = (kind, entry) => {
      const record = JSON.parse(sessionStorage.getItem(key) || '{"rows": [], "statuses": []}');
      record[kind].push({doc, ...entry});
      sessionStorage.setItem(key, JSON.stringify(record));
    };
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.target.id === 'status') {
          keep('statuses', {status: record.target.textContent});
        } else if (record.target.id === 'log') {
          for (const node of record.addedNodes) {
            if (node.nodeName === 'LI') {
              keep('rows', {event: node.dataset.event, id: text(node, 'id'), name: text(node, 'name'), data: text(node, 'data')});
            }
          }
        }
      }
    }).observe(document, {childList: true, subtree: true});
  }, RECORD_KEY);
}

// The streams Chromium opened, among those the hub lists.
export const chrome = (connection) => /Chrome/.test(connection.userAgent);

// A new page on the hub's demo, recorded (recordDemo), once its stream is open.
export async function openDemo(t, browser, hub) {
  const {context, page} = await newPage(browser);
  t.after(() => context.close());
  await recordDemo(page);
  await page.goto(`${hub.base}/demo`);
  await waitInPage(page, 'the demo stream open', () => document.getElementById('status').textContent === 'open');
  return page;
}

// What recordDemo kept so far: {rows, statuses}, oldest first.
export async function recorded(page) {
  return page.evaluate((key) => JSON.parse(sessionStorage.getItem(key) || '{"rows": [], "statuses": []}'), RECORD_KEY);
}

// The rows the demo page shows now, newest first as on the page.
export function shownRows(page) {
  return page.$$eval('#log li', (rows) => rows.map((row) => ({
    event: row.dataset.event,
    id: row.querySelector('span.id').textContent.trim(),
    name: row.querySelector('span.name').textContent.trim(),
    data: row.querySelector('span.data').textContent.trim(),
  })));
}
