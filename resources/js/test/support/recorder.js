'use strict';
// Keeps what a subscription hands over and lets a test wait for it. The timeout is only a
// guard that turns a hang into a failure naming what never came.

class Recorder {
  constructor() {
    this.entries = [];
    this._waiters = [];
  }

  add(entry) {
    this.entries.push(entry);
    this._waiters = this._waiters.filter((waiter) => !waiter.check());
  }

  // Resolves with the entries once predicate(entries) holds.
  until(predicate, what, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._waiters = this._waiters.filter((waiter) => waiter !== entry);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.entries)}`));
      }, timeoutMs);
      const entry = {
        check: () => {
          if (!predicate(this.entries)) return false;
          clearTimeout(timer);
          resolve(this.entries);
          return true;
        },
      };
      if (!entry.check()) this._waiters.push(entry);
    });
  }

  // Resolves once count entries are in.
  count(count, what) {
    return this.until((entries) => entries.length >= count, `${count} ${what}`);
  }
}

// Records every event of the given names: {name, data, id}.
function record(hub, names) {
  const recorder = new Recorder();
  for (const name of names) hub.on(name, (data, event) => recorder.add({name: event.name, data, id: event.id}));
  return recorder;
}

// Records every status: {status, readyState}; waitFor(status) waits for the next one after now.
function recordStatus(hub) {
  const recorder = new Recorder();
  hub.onStatus((status, info) => recorder.add({status, readyState: info.readyState}));
  recorder.next = (status) => {
    const from = recorder.entries.length;
    return recorder.until((entries) => entries.slice(from).some((entry) => entry.status === status), `status ${status}`);
  };
  return recorder;
}

// Event 1, then the server sends the stream away (a short pause) and event 2 is published
// meanwhile: the EventSource comes back by itself with Last-Event-ID. Returns what was recorded.
async function pushAcrossAPause(hub, server) {
  const events = record(hub, ['n']);
  const statuses = recordStatus(hub);
  await statuses.next('open');
  await server.push({event: 'n', data: 1});
  await events.count(1, 'event 1');
  const back = statuses.next('open');
  await server.pause({delay: 200});
  await server.push({event: 'n', data: 2});
  await back;
  await events.count(2, 'event 2');
  return {events, statuses};
}

module.exports = {Recorder, record, recordStatus, pushAcrossAPause};
