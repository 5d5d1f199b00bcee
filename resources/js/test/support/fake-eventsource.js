'use strict';
// The least an EventSource does, driven by the test: open, deliver, drop, refuse.

class FakeEventSource extends EventTarget {
  constructor(url, init) {
    super();
    this.url = url;
    this.init = init;
    this.readyState = 0;
    FakeEventSource.instances.push(this);
  }

  static latest() {
    return FakeEventSource.instances[FakeEventSource.instances.length - 1];
  }

  open() {
    this.readyState = 1;
    this.dispatchEvent(new Event('open'));
  }

  emit(name, data, id = '') {
    this.dispatchEvent(new MessageEvent(name, {data, lastEventId: id}));
  }

  // The connection dropped: the EventSource tries again by itself.
  drop() {
    this.readyState = 0;
    this.dispatchEvent(new Event('error'));
  }

  // The server refused the stream: the EventSource gives up.
  refuse() {
    this.readyState = 2;
    this.dispatchEvent(new Event('error'));
  }

  close() {
    this.readyState = 2;
  }
}

FakeEventSource.instances = [];

module.exports = {FakeEventSource};
