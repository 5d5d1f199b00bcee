'use strict';
// reconnect() after POST /login and /logout: the stream is identified by the new session cookie.

const {test, before, after} = require('node:test');
const assert = require('node:assert/strict');

const EventSourceHub = require('..');
const {CookieJar} = require('./support/cookies');
const {describeServer, startServer, writeUsers} = require('./support/server');
const {record, recordStatus} = require('./support/recorder');

describeServer('login and logout', () => {
  let server;
  let users;

  before(async () => {
    users = writeUsers({
      groups: [{id: 'g-staff', name: 'staff'}],
      users: [{id: 'u-alice', name: 'alice', password: 'wonderland', groups: ['staff']}],
    });
    // Login and logout close the old session's streams: with a long retry, only reconnect()
    // brings the stream back within the test.
    server = await startServer(['--users', users.file, '--retry-ms', '60000']);
  });
  after(async () => {
    await server.stop();
    users.remove();
  });

  test('after login and reconnect(), pushes to the user reach the stream; after logout, not', async () => {
    const jar = new CookieJar();
    const hub = EventSourceHub.connect(server.stream, {EventSource: jar.EventSource, withCredentials: true});
    const events = record(hub, ['private', 'team', 'public']);
    const statuses = recordStatus(hub);
    await statuses.next('open');
    await server.push({event: 'public', data: 'first'});
    await events.count(1, 'the first public event');
    assert.equal((await server.push({event: 'private', data: 'before login', target: {users: ['alice']}})).delivered, 0);

    const login = await jar.post(server.base + '/login', {username: 'alice', password: 'wonderland'});
    assert.equal(login.status, 200);
    assert.deepEqual((await login.json()).user, {id: 'u-alice', name: 'alice', groups: ['staff']});
    await server.push({event: 'public', data: 'while logging in'});
    let open = statuses.next('open');
    hub.reconnect();
    await open;
    // The resume replays what the stream missed that its new identity may see: the push to
    // alice from before the login too.
    await events.count(3, 'the events sent before and while logging in');
    const streams = await server.connections();
    assert.deepEqual(streams.map((stream) => [stream.userName, stream.resume.via]), [['alice', 'query']]);
    assert.equal((await server.push({event: 'private', data: 'for alice', target: {users: ['alice']}})).delivered, 1);
    assert.equal((await server.push({event: 'team', data: 'for staff', target: {groups: ['staff']}})).delivered, 1);
    await events.count(5, 'the user and group events');

    const logout = await jar.post(server.base + '/logout', {});
    assert.deepEqual(await logout.json(), {loggedOut: true});
    open = statuses.next('open');
    hub.reconnect();
    await open;
    assert.equal((await server.push({event: 'private', data: 'after logout', target: {users: ['alice']}})).delivered, 0);
    await server.push({event: 'public', data: 'last'});
    await events.count(6, 'the last public event');
    hub.close();
    assert.deepEqual(events.entries.map((entry) => entry.data),
      ['first', 'before login', 'while logging in', 'for alice', 'for staff', 'last']);
  });
});
