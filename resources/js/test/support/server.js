'use strict';
// Starts the real eventsource-server ($ESH_SERVER) on free loopback ports and speaks its admin API.

const {spawn, execFileSync} = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {describe, test} = require('node:test');

const binary = process.env.ESH_SERVER;

// A suite that needs the server; without one it is a skipped test whose reason the report
// shows (and counts), never a silent pass.
function describeServer(name, suite) {
  if (binary) return describe(name, suite);
  return test(name, {skip: 'ESH_SERVER is not set: point it at an eventsource-server binary to run the tests against a real server'});
}

function hashPassword(password) {
  return execFileSync(binary, ['--hash-password'], {input: password + '\n'}).toString().trim();
}

// A users file for --users, with passwords given in clear here and hashed by the server.
function writeUsers(directory) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'eventsource-hub-js-'));
  const file = path.join(folder, 'users.json');
  const users = directory.users.map((user) => Object.assign({}, user, {password: hashPassword(user.password)}));
  fs.writeFileSync(file, JSON.stringify({groups: directory.groups || [], users: users}));
  return {file, remove: () => fs.rmSync(folder, {recursive: true, force: true})};
}

async function startServer(args = []) {
  const token = crypto.randomBytes(24).toString('hex');
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--admin-token', token,
    '--retry-ms', '100', ...args], {stdio: ['ignore', 'pipe', 'pipe']});
  // A test file that fails hard still leaves no server behind.
  process.on('exit', () => child.kill('SIGKILL'));
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const ports = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = /ready public=(\d+) admin=(\d+)/.exec(out);
      if (ready) resolve({public: ready[1], admin: ready[2]});
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`eventsource-server exited (${code}) before it was ready:\n${log}`)));
  });
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => {
    process.stderr.write(`eventsource-server exited (${code ?? signal}) during the tests:\n${log}`);
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

  return {
    base,
    stream: base + '/eventsource',
    push: (body) => call('POST', '/api/push', body),
    pause: (body) => call('POST', '/api/pause', body),
    connections: async () => (await call('GET', '/api/connections')).connections,
    stop: () => new Promise((resolve) => {
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

module.exports = {describeServer, startServer, writeUsers};
