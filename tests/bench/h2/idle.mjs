// Idle HTTP/2 streams for RSS figures (docs/BENCHMARKS.md, "HTTP/2 and TLS"): opens
// CONNECTIONS connections of PER_CONNECTION streams each, prints "open N" once all are up,
// and holds them until killed. Compare the server's VmRSS before and after.
//   node idle.mjs https://127.0.0.1:PORT CONNECTIONS PER_CONNECTION
import http2 from 'node:http2';
const [url, connections, perConnection] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let open = 0;
for (let c = 0; c < connections; ++c) {
  const s = http2.connect(url, { rejectUnauthorized: false, settings: { initialWindowSize: 1 << 20 } });
  s.on('error', e => console.error(String(e)));
  for (let i = 0; i < perConnection; ++i) {
    const r = s.request({ ':path': '/eventsource' });
    r.on('response', () => { if (++open === connections * perConnection) console.log('open', open); });
    r.on('data', () => {});
    r.on('error', () => {});
  }
}
