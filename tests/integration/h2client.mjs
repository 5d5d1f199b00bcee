// An HTTP/2 client for tst_http2, on Node's own http2 module (nghttp2 inside, but not our
// code). One connection; commands come as JSON lines on stdin, what happens goes out as JSON
// lines on stdout:
//   {"op":"connect","url":"https://localhost:PORT","ca":"FILE"}  -> connected {alpn} | error
//   {"op":"open","sid":"s1","path":"/eventsource/a","headers":{},"paused":false}
//        -> response {sid,status,headers}, event {sid,id,event,data}, retry {sid,ms},
//           closed {sid,rstCode,bytes}
//   {"op":"request","sid":"r1","method":"POST","path":"/login","headers":{},"body":"..."}
//        -> response {sid,status,headers,body}
//   {"op":"pause","sid"} / {"op":"resume","sid"}: stop / go on reading that stream
//   {"op":"close"} -> the session closes; goaway {code} comes whenever the server sends one.
import http2 from 'node:http2';
import fs from 'node:fs';
import readline from 'node:readline';

const emit = (object) => process.stdout.write(JSON.stringify(object) + '\n');
const streams = new Map();
let session = null;

function parseEvents(sid, state, text) {
    state.buffer += text;
    let end;
    while ((end = state.buffer.indexOf('\n\n')) >= 0) {
        const block = state.buffer.slice(0, end);
        state.buffer = state.buffer.slice(end + 2);
        const event = { ev: 'event', sid, id: null, event: null, data: null };
        let isEvent = false;
        for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon === 0)
                continue;
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? '' : line.slice(colon + 1);
            if (value.startsWith(' '))
                value = value.slice(1);
            if (field === 'retry')
                emit({ ev: 'retry', sid, ms: Number(value) });
            else if (field === 'data')
                event.data = event.data === null ? value : event.data + '\n' + value;
            else if (field === 'id' || field === 'event')
                event[field] = value;
            isEvent ||= field === 'data';
        }
        if (isEvent)
            emit(event);
    }
}

function connect(command) {
    const options = {};
    if (command.ca)
        options.ca = fs.readFileSync(command.ca);
    session = http2.connect(command.url, options);
    // As browsers do (Chromium: 15 MiB), a connection window that one stalled stream cannot
    // fill: Node's default (64 KiB) would stall every stream of the connection behind it.
    session.on('connect', () => {
        session.setLocalWindowSize(16 * 1024 * 1024);
        emit({ ev: 'connected', alpn: session.alpnProtocol ?? null });
    });
    session.on('goaway', (code) => emit({ ev: 'goaway', code }));
    session.on('error', (error) => emit({ ev: 'error', message: String(error.message) }));
    session.on('close', () => emit({ ev: 'sessionclosed' }));
}

function open(command, isEventStream) {
    const headers = { ':method': command.method ?? 'GET', ':path': command.path, ...(command.headers ?? {}) };
    const stream = session.request(headers, { endStream: command.body === undefined });
    const state = { buffer: '', bytes: 0, body: '' };
    streams.set(command.sid, stream);
    stream.setEncoding('utf8');
    stream.on('response', (responseHeaders) => {
        if (isEventStream)
            emit({ ev: 'response', sid: command.sid, status: responseHeaders[':status'], headers: responseHeaders });
        else
            state.headers = responseHeaders;
    });
    stream.on('data', (text) => {
        state.bytes += Buffer.byteLength(text);
        if (isEventStream)
            parseEvents(command.sid, state, text);
        else
            state.body += text;
    });
    stream.on('error', () => {});
    stream.on('close', () => {
        if (!isEventStream) {
            emit({ ev: 'response', sid: command.sid, status: state.headers?.[':status'] ?? 0,
                   headers: state.headers ?? {}, body: state.body, rstCode: stream.rstCode });
        }
        emit({ ev: 'closed', sid: command.sid, rstCode: stream.rstCode, bytes: state.bytes });
    });
    if (command.body !== undefined)
        stream.end(command.body);
    if (command.paused)
        stream.pause();
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
    const command = JSON.parse(line);
    switch (command.op) {
    case 'connect': connect(command); break;
    case 'open': open(command, true); break;
    case 'request': open(command, false); break;
    case 'pause': streams.get(command.sid)?.pause(); break;
    case 'resume': streams.get(command.sid)?.resume(); break;
    case 'close': session?.close(); break;
    }
});
lines.on('close', () => process.exit(0));
