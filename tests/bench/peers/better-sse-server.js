// The better-sse peer of tests/bench/run-bench.sh: one Node process, one port.
//   GET  /sub/<channel>  an SSE session (better-sse createSession) registered to <channel>
//   POST /pub/<channel>  broadcasts the request body, as it is, to <channel>; answers 200 "ok"
// Channels are made on first use. Sessions send "retry:2000" first (better-sse's default),
// which run-bench.sh takes as the ready marker; keep-alive comments every 60 s, as the hub's
// heartbeat in the benchmark. Data is sent unserialised (the default would JSON-quote it).
// Usage: NODE_PATH=<dir>/node_modules node better-sse-server.js PORT   (0: any free port;
// prints "ready port=N")
"use strict";
const http = require("http");
const { createSession, createChannel } = require("better-sse");

const channels = new Map();
const channel = (name) => {
    let c = channels.get(name);
    if (!c) {
        c = createChannel();
        channels.set(name, c);
    }
    return c;
};

const server = http.createServer(async (req, res) => {
    const match = /^\/(sub|pub)\/(\w+)$/.exec(req.url);
    if (match && match[1] === "sub" && req.method === "GET") {
        const session = await createSession(req, res, { keepAlive: 60000, serializer: String });
        channel(match[2]).register(session);
        return;
    }
    if (match && match[1] === "pub" && req.method === "POST") {
        const chunks = [];
        req.on("data", (chunk) => chunks.push(chunk));
        req.on("end", () => {
            channel(match[2]).broadcast(Buffer.concat(chunks).toString(), "message");
            res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "2" });
            res.end("ok");
        });
        return;
    }
    res.writeHead(404, { "Content-Length": "0" });
    res.end();
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] || 0), "127.0.0.1", 4096, () => {
    console.log(`ready port=${server.address().port}`);
});
