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

module.exports = {Recorder, record, recordStatus};
