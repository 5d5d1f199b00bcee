// Idle HTTP/2 streams for RSS figures (docs/BENCHMARKS.md, "HTTP/2 and TLS"): opens
// CONNECTIONS connections of PER_CONNECTION event streams each to STREAM_URL, prints
// "open N" once all have answered 200, and holds them until killed. Compare the server's
// VmRSS before and after.
//   node idle.mjs https://127.0.0.1:PORT/eventsource CONNECTIONS PER_CONNECTION
import http2 from 'node:http2';

const [streamUrl, connections, perConnection] = process.argv.slice(2);
const target = new URL(streamUrl);
const total = Number(connections) * Number(perConnection);
let open = 0;

for (let c = 0; c < Number(connections); ++c) {
    const session = http2.connect(target.origin, { rejectUnauthorized: false,
                                                    settings: { initialWindowSize: 1 << 20 } });
    session.on('error', (error) => { console.error(String(error)); process.exit(1); });
    for (let i = 0; i < Number(perConnection); ++i) {
        const stream = session.request({ ':path': target.pathname, accept: 'text/event-stream' });
        stream.on('response', (headers) => {
            if (headers[':status'] !== 200) {
                console.error(`status ${headers[':status']}`);
                process.exit(1);
            }
            if (++open === total)
                console.log('open', open);
        });
        stream.on('data', () => {});
    }
}
