// Broadcast latency over HTTP/2 (docs/BENCHMARKS.md, "HTTP/2 and TLS"): opens CONNECTIONS
// connections of PER_CONNECTION event streams each to STREAM_URL, then publishes 7 events
// 300 ms apart by POST to PUBLISH_URL and prints publish -> last delivered of the last 5, in ms.
//   node broadcast.mjs STREAM_URL CONNECTIONS PER_CONNECTION PUBLISH_URL [AUTHORIZATION]
// Ours:  https://127.0.0.1:PORT/eventsource 10 100 http://127.0.0.1:ADMIN/api/push 'Bearer TOKEN'
// Nchan: https://127.0.0.1:PORT/sub/all 10 100 http://127.0.0.1:PUB/pub/all
// Certificates are not checked (a self-signed test certificate is expected). The body is
// {"data": ...} for our admin API, the event text itself for a peer (no AUTHORIZATION).
import http from 'node:http';
import http2 from 'node:http2';

const [streamUrl, connectionsText, perConnectionText, publishUrl, authorization] = process.argv.slice(2);
const total = Number(connectionsText) * Number(perConnectionText);
const rounds = 7;
const dropped = 2;
const streamTarget = new URL(streamUrl);

let open = 0;
let round = 0;
let received = 0;
let startedAt = 0n;
const results = [];

function publish() {
    received = 0;
    const text = `round-${round} ${'x'.repeat(100)}`;
    const headers = { 'Content-Type': authorization ? 'application/json' : 'text/plain' };
    if (authorization)
        headers.Authorization = authorization;
    startedAt = process.hrtime.bigint();
    const request = http.request(publishUrl, { method: 'POST', headers });
    request.on('response', (response) => response.resume());
    request.end(authorization ? JSON.stringify({ data: text }) : text);
}

function onData(text) {
    const match = /data: round-(\d+)/.exec(text);
    if (!match || Number(match[1]) !== round || ++received !== total)
        return;
    results.push(Number(process.hrtime.bigint() - startedAt) / 1e6);
    if (++round < rounds) {
        setTimeout(publish, 300);
        return;
    }
    const kept = results.slice(dropped).sort((a, b) => a - b);
    console.log(`publish->last ms ${kept.map((ms) => ms.toFixed(2)).join(' ')} median ${kept[kept.length >> 1].toFixed(2)}`);
    process.exit(0);
}

function opened() {
    if (++open === total)
        setTimeout(publish, 500);
}

for (let c = 0; c < Number(connectionsText); ++c) {
    const session = http2.connect(streamTarget.origin, { rejectUnauthorized: false,
                                                          settings: { initialWindowSize: 1 << 20 } });
    session.on('connect', () => session.setLocalWindowSize(16 << 20));
    session.on('error', (error) => { console.error(String(error)); process.exit(1); });
    for (let i = 0; i < Number(perConnectionText); ++i) {
        const stream = session.request({ ':path': streamTarget.pathname, accept: 'text/event-stream' });
        stream.setEncoding('utf8');
        stream.on('response', opened);
        stream.on('data', onData);
    }
}
