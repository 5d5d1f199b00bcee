/*! eventsource-hub 0.1.0: client helper for EventSource Hub. MIT licence. */
// A classic script (window.EventSourceHub) and a CommonJS module (require('eventsource-hub')),
// written in ES2017 with no dependency so browsers load it as is.
(function (root, factory) {
  'use strict';
  const EventSourceHub = factory(root);
  if (typeof module === 'object' && module && module.exports) {
    module.exports = EventSourceHub;
  } else {
    root.EventSourceHub = EventSourceHub;
  }
}(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this, function (root) {
  'use strict';

  // The event the server sends on resume when its history no longer holds what was missed.
  const GAP_EVENT = 'eventsource-gap';
  const OPTIONS = ['events', 'json', 'withCredentials', 'EventSource'];
  const CLOSED = 2;

  function fail(message) {
    throw new TypeError('EventSourceHub.connect: ' + message);
  }

  function readOptions(options) {
    if (options === undefined) {
      return {events: null, json: false, withCredentials: false, EventSource: null};
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      fail('options must be an object, such as {events: ["a"], json: true}');
    }
    Object.keys(options).forEach(function (key) {
      if (OPTIONS.indexOf(key) === -1) {
        fail('unknown option "' + key + '" (known: ' + OPTIONS.join(', ') + ')');
      }
    });
    const events = options.events;
    if (events !== undefined) {
      if (!Array.isArray(events) || events.length === 0) {
        fail('events must be a non-empty array of event names (leave it out to receive every event)');
      }
      events.forEach(function (name) {
        if (typeof name !== 'string' || name === '' || /[,\r\n\0]/.test(name)) {
          fail('events: ' + JSON.stringify(name) + ' is not an event name (a non-empty string without comma, CR, LF or NUL)');
        }
      });
    }
    ['json', 'withCredentials'].forEach(function (key) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') {
        fail(key + ' must be true or false');
      }
    });
    if (options.EventSource !== undefined && typeof options.EventSource !== 'function') {
      fail('EventSource must be a constructor, such as the one of event-source-polyfill');
    }
    return {
      events: events === undefined ? null : events.slice(),
      json: options.json === true,
      withCredentials: options.withCredentials === true,
      EventSource: options.EventSource || null,
    };
  }

  // GET <path>/a,b: the server sends only events named a or b.
  function filteredUrl(url, events) {
    if (!events) {
      return url;
    }
    const cut = url.search(/[?#]/);
    const path = cut === -1 ? url : url.slice(0, cut);
    const rest = cut === -1 ? '' : url.slice(cut);
    return path.replace(/\/+$/, '') + '/' + events.map(encodeURIComponent).join(',') + rest;
  }

  // ?lastEventId=: a new EventSource sends no Last-Event-ID header, the server reads this instead.
  function resumeUrl(url, lastEventId) {
    const hash = url.indexOf('#');
    const request = hash === -1 ? url : url.slice(0, hash);
    const query = request.indexOf('?');
    const path = query === -1 ? request : request.slice(0, query);
    const params = query === -1 ? [] : request.slice(query + 1).split('&').filter(function (param) {
      return param !== '' && param.split('=')[0] !== 'lastEventId';
    });
    params.push('lastEventId=' + encodeURIComponent(lastEventId));
    return path + '?' + params.join('&');
  }

  // A handler's exception must not keep the other handlers from their event; it is
  // reported as uncaught, as an EventSource listener's would be.
  function report(error) {
    setTimeout(function () {
      throw error;
    });
  }

  function remover(list, handler) {
    return function () {
      const index = list.indexOf(handler);
      if (index !== -1) {
        list.splice(index, 1);
      }
    };
  }

  function checkHandler(method, handler) {
    if (typeof handler !== 'function') {
      throw new TypeError('EventSourceHub: ' + method + ' needs a function');
    }
  }

  class Subscription {
    constructor(url, settings, Source) {
      this._url = filteredUrl(url, settings.events);
      this._settings = settings;
      this._Source = Source;
      this._handlers = new Map();
      this._statusHandlers = [];
      this._errorHandlers = [];
      this._source = null;
      this._status = 'closed';
      this._lastEventId = '';
      this._open(this._url);
    }

    get status() {
      return this._status;
    }

    get lastEventId() {
      return this._lastEventId;
    }

    on(name, handler) {
      if (typeof name !== 'string' || name === '') {
        throw new TypeError('EventSourceHub: on needs an event name ("message" for unnamed events)');
      }
      checkHandler('on', handler);
      let list = this._handlers.get(name);
      if (!list) {
        list = [];
        this._handlers.set(name, list);
        if (this._source) {
          this._listen(this._source, name);
        }
      }
      list.push(handler);
      return remover(list, handler);
    }

    onGap(handler) {
      return this.on(GAP_EVENT, handler);
    }

    onStatus(handler) {
      checkHandler('onStatus', handler);
      this._statusHandlers.push(handler);
      this._call(handler, [this._status, {readyState: this._readyState()}]);
      return remover(this._statusHandlers, handler);
    }

    onError(handler) {
      checkHandler('onError', handler);
      this._errorHandlers.push(handler);
      return remover(this._errorHandlers, handler);
    }

    reconnect() {
      this._shut();
      this._open(this._lastEventId ? resumeUrl(this._url, this._lastEventId) : this._url);
    }

    close() {
      this._shut();
      this._setStatus('closed');
    }

    _open(url) {
      const source = new this._Source(url, {withCredentials: this._settings.withCredentials});
      this._source = source;
      // Server events named "open" or "error" have data; the connection's own events have none.
      source.addEventListener('open', (event) => {
        if (source === this._source && typeof event.data !== 'string') {
          this._setStatus('open');
        }
      });
      source.addEventListener('error', (event) => {
        if (source === this._source && typeof event.data !== 'string') {
          this._setStatus(source.readyState === CLOSED ? 'closed' : 'reconnecting');
        }
      });
      this._handlers.forEach((list, name) => this._listen(source, name));
      this._setStatus('connecting');
    }

    _shut() {
      if (this._source) {
        this._source.close();
        this._source = null;
      }
    }

    _listen(source, name) {
      source.addEventListener(name, (message) => {
        // The connection's own open and error events carry no data: they are not server events.
        if (source === this._source && typeof message.data === 'string') {
          this._dispatch(name, message);
        }
      });
    }

    _dispatch(name, message) {
      this._lastEventId = message.lastEventId || this._lastEventId;
      const event = {name: name, id: message.lastEventId, data: message.data, message: message};
      let data = message.data;
      if (this._settings.json || name === GAP_EVENT) {
        try {
          data = JSON.parse(message.data);
        } catch (error) {
          this._error(new SyntaxError('EventSourceHub: event "' + name + '" (id "' + event.id
            + '") has data that is not JSON: ' + error.message), event);
          return;
        }
      }
      this._handlers.get(name).slice().forEach((handler) => this._call(handler, [data, event]));
    }

    _error(error, event) {
      if (this._errorHandlers.length === 0) {
        report(error);
        return;
      }
      this._errorHandlers.slice().forEach((handler) => this._call(handler, [error, event]));
    }

    _readyState() {
      return this._source ? this._source.readyState : CLOSED;
    }

    _setStatus(status) {
      if (status === this._status) {
        return;
      }
      this._status = status;
      const info = {readyState: this._readyState()};
      this._statusHandlers.slice().forEach((handler) => this._call(handler, [status, info]));
    }

    _call(handler, args) {
      try {
        handler.apply(this, args);
      } catch (error) {
        report(error);
      }
    }
  }

  function connect(url, options) {
    if (typeof url !== 'string' || url === '') {
      fail('url must be a non-empty string, such as "/eventsource" (for a URL object, pass its href)');
    }
    const settings = readOptions(options);
    const Source = settings.EventSource || root.EventSource;
    if (typeof Source !== 'function') {
      throw new Error('EventSourceHub.connect: this environment has no EventSource: load a polyfill such as '
        + 'event-source-polyfill before eventsource-hub.js, or pass one as {EventSource: ...}');
    }
    return new Subscription(url, settings, Source);
  }

  return {connect: connect, GAP_EVENT: GAP_EVENT};
}));
