// The origin behind the Pushpin peer of tests/bench/run-bench.sh. Pushpin forwards each
// stream request here once; the answer tells it, with GRIP headers, to hold the request open
// as a stream subscribed to a channel. Events then come from Pushpin's HTTP publish API
// (POST /publish/), never through this process.
//   GET /sub/<channel>  ->  200, Content-Type: text/event-stream, Grip-Hold: stream,
//                           Grip-Channel: <channel>, body ": ready\n\n" (marks the stream ready)
// Usage: node pushpin-origin.js PORT   (0: any free port; prints "ready port=N")
"use strict";
const http = require("http");

const server = http.createServer((req, res) => {
    const match = /^\/sub\/(\w+)$/.exec(req.url);
    if (req.method !== "GET" || !match) {
        res.writeHead(404, { "Content-Length": "0" });
        res.end();
        return;
    }
    const body = ": ready\n\n";
    res.writeHead(200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "Grip-Hold": "stream",
        "Grip-Channel": match[1],
        "Content-Length": Buffer.byteLength(body),
    });
    res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2] || 0), "127.0.0.1", () => {
    console.log(`ready port=${server.address().port}`);
});
