// Broadcast latency over HTTP/2 (docs/BENCHMARKS.md, "HTTP/2 and TLS"): opens CONNECTIONS
// connections of PER_CONNECTION streams each, then publishes 7 rounds through the admin API
// and prints publish -> last delivered of the last 5, in ms.
//   node broadcast.mjs https://127.0.0.1:PORT CONNECTIONS PER_CONNECTION ADMIN_PORT ADMIN_TOKEN
// (certificates are not checked: a self-signed test certificate is expected)
import http2 from 'node:http2';
import http from 'node:http';
const [url, connections, perConnection, adminPort, token] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6]];
const total = connections * perConnection;
let open = 0, got = 0, t0 = 0, results = [];
function publish(n) {
  got = 0; t0 = process.hrtime.bigint();
  const req = http.request({ host: '127.0.0.1', port: adminPort, path: '/api/push', method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' } });
  req.end(JSON.stringify({ data: 'round-' + n + ' ' + 'x'.repeat(100) }));
  req.on('response', r => r.resume());
}
let round = 0;
function onData(text) {
  const m = /data: round-(\d+)/.exec(text);
  if (!m || Number(m[1]) !== round) return;
  if (++got === total) {
    results.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (++round === 7) { results = results.slice(2).sort((a, b) => a - b); console.log('publish->last ms', results.map(x => x.toFixed(2)).join(' '), 'median', results[2].toFixed(2)); process.exit(0); }
    setTimeout(() => publish(round), 300);
  }
}
for (let c = 0; c < connections; ++c) {
  const s = http2.connect(url, { rejectUnauthorized: false, settings: { initialWindowSize: 1 << 20 } });
  s.on('connect', () => s.setLocalWindowSize(16 << 20));
  for (let i = 0; i < perConnection; ++i) {
    const r = s.request({ ':path': '/eventsource' });
    r.setEncoding('utf8');
    r.on('response', () => { if (++open === total) setTimeout(() => publish(0), 500); });
    r.on('data', onData);
  }
}
