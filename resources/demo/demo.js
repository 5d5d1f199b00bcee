// The demo page (GET /demo with --demo): a subscription through the client helper, login and
// logout against the hub's user directory, and the events as they arrive. The last event id
// is kept in sessionStorage, so a reload resumes where the page was.
(function () {
  'use strict';

  const MAX_ROWS = 200;
  const streamPath = document.querySelector('meta[name="eventsource-path"]').content;
  const $ = (id) => document.getElementById(id);
  let subscription = null;
  let received = 0;

  function streamUrl() {
    const lastId = sessionStorage.getItem('eventsource-demo-last-id');
    return lastId ? streamPath + '?lastEventId=' + encodeURIComponent(lastId) : streamPath;
  }

  function show(name, data, event) {
    received += 1;
    $('count').textContent = String(received);
    if (event.id) {
      sessionStorage.setItem('eventsource-demo-last-id', event.id);
      $('last-id').textContent = event.id;
    }
    const row = document.createElement('li');
    row.dataset.event = name;
    const parts = [['id', event.id || '-'], ['name', name],
      ['data', typeof data === 'string' ? data : JSON.stringify(data)]];
    parts.forEach(([kind, text]) => {
      const span = document.createElement('span');
      span.className = kind;
      span.textContent = text + ' ';
      row.appendChild(span);
    });
    const log = $('log');
    log.insertBefore(row, log.firstChild);
    while (log.children.length > MAX_ROWS) {
      log.removeChild(log.lastChild);
    }
  }

  function connect() {
    disconnect();
    const names = $('events').value.split(',').map((name) => name.trim()).filter(Boolean);
    const options = {json: $('json').checked, withCredentials: true};
    if (names.length > 0) {
      options.events = names;
    }
    sessionStorage.setItem('eventsource-demo-filter', $('events').value);
    sessionStorage.setItem('eventsource-demo-json', options.json ? '1' : '');
    try {
      subscription = EventSourceHub.connect(streamUrl(), options);
    } catch (error) {
      $('status').textContent = error.message;
      return;
    }
    $('url').textContent = streamPath + (names.length ? '/' + names.join(',') : '');
    (names.length ? names : ['message']).forEach((name) => {
      subscription.on(name, (data, event) => show(name, data, event));
    });
    subscription.onGap((data) => {
      $('gap').hidden = false;
      $('gap').textContent = 'Some events may have been missed (' + data.reason + '): reload your state.';
    });
    subscription.onStatus((status) => {
      $('status').textContent = status;
      $('status').dataset.status = status;
    });
    subscription.onError((error) => show('error', error.message, {id: ''}));
    $('connect').textContent = 'Subscribe again';
    $('disconnect').disabled = false;
  }

  function disconnect() {
    if (subscription) {
      subscription.close();
      subscription = null;
    }
    $('disconnect').disabled = true;
  }

  // Login and logout change the session: the hub closes its streams, and reconnect() opens
  // this page's at once, under the new identity, from the last id it had.
  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body ? {'Content-Type': 'application/json'} : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(answer.error || response.status + ' ' + response.statusText);
    }
    return answer;
  }

  async function identify(path, body) {
    $('login-error').textContent = '';
    try {
      const answer = await post(path, body);
      $('who').textContent = answer.user ? answer.user.name : 'anonymous';
      sessionStorage.setItem('eventsource-demo-who', $('who').textContent);
      if (subscription) {
        subscription.reconnect();
      }
    } catch (error) {
      $('login-error').textContent = error.message;
    }
  }

  $('subscribe').addEventListener('submit', (event) => {
    event.preventDefault();
    connect();
  });
  $('disconnect').addEventListener('click', disconnect);
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    identify('/login', {username: $('username').value, password: $('password').value});
    $('password').value = '';
  });
  $('logout').addEventListener('click', () => identify('/logout'));

  $('events').value = sessionStorage.getItem('eventsource-demo-filter') || '';
  $('json').checked = sessionStorage.getItem('eventsource-demo-json') === '1';
  $('who').textContent = sessionStorage.getItem('eventsource-demo-who') || 'anonymous';
  connect();
}());
