'use strict';
// What a browser's cookie jar does for one site, for fetch and the eventsource package:
// sends the cookies it holds and keeps those the server sets (Max-Age=0 removes one).

const {EventSource} = require('eventsource');

class CookieJar {
  constructor() {
    this.cookies = new Map();
    this.fetch = async (url, init = {}) => {
      const headers = Object.assign({}, init.headers);
      if (this.cookies.size > 0) {
        headers.cookie = Array.from(this.cookies, ([name, value]) => `${name}=${value}`).join('; ');
      }
      const response = await fetch(url, Object.assign({}, init, {headers}));
      for (const line of response.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';').map((part) => part.trim());
        const [name, value] = pair.split(/=(.*)/);
        if (attributes.some((attribute) => /^max-age=0$/i.test(attribute))) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      return response;
    };
    const jar = this;
    // The EventSource constructor the helper is given: every stream request goes through the jar.
    this.EventSource = class extends EventSource {
      constructor(url, init) {
        super(url, Object.assign({}, init, {fetch: jar.fetch}));
      }
    };
  }

  post(url, body) {
    return this.fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)});
  }
}

module.exports = {CookieJar};
