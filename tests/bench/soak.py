"""Soak load for tests/bench/soak.sh: holds a population of streams with churn, publishes
broadcasts, and mixes the attacks of issue 10 in at a low rate, while a canary stream
measures delivery delay. Prints one line of figures per interval, then a summary.
Not a test: nothing here asserts; the figures go to docs/BENCHMARKS.md."""

import argparse
import asyncio
import json
import random
import socket
import statistics
import time

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--admin-port", type=int, required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--pid", type=int, required=True)
parser.add_argument("--streams", type=int, default=5000)
parser.add_argument("--seconds", type=int, default=3600)
parser.add_argument("--interval", type=int, default=60, help="seconds per report line")
parser.add_argument("--churn", type=float, default=0.01, help="share of streams replaced each second")
parser.add_argument("--attack-every", type=int, default=10, help="seconds between attack rounds")
args = parser.parse_args()

HOST = "127.0.0.1"


def rss_kib():
    with open(f"/proc/{args.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


async def request(port, raw, read_limit=65536, timeout=10.0):
    """Sends raw bytes, returns what comes back until close or timeout."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), timeout)
    except (OSError, asyncio.TimeoutError):
        return b""
    writer.write(raw)
    got = b""
    try:
        while len(got) < read_limit:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got and b"Content-Length: " in got:
                head, _, body = got.partition(b"\r\n\r\n")
                length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                if len(body) >= length:
                    break
    except (OSError, asyncio.TimeoutError):
        pass
    writer.close()
    return got


def post(path, body, admin=True):
    data = json.dumps(body).encode()
    auth = f"Authorization: Bearer {args.token}\r\n" if admin else ""
    return (f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n{auth}Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


class Stats:
    def __init__(self):
        self.canary = []
        self.opened = 0
        self.closed_by_server = 0
        self.refused = {}
        self.attacks = {}
        self.answers = {}
        self.events_seen = 0

    def count(self, table, key, n=1):
        table[key] = table.get(key, 0) + n


stats = Stats()


class Stream:
    """An EventSource-like reader that counts events and notices a server close."""

    def __init__(self, path, record=False):
        self.path = path
        self.task = None
        self.writer = None
        self.arrivals = asyncio.Queue() if record else None

    async def run(self):
        try:
            reader, self.writer = await asyncio.open_connection(HOST, args.port)
        except OSError:
            stats.count(stats.refused, "connect")
            return
        self.writer.write(f"GET {self.path} HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode()
        if status != "200":
            stats.count(stats.refused, status)
            self.writer.close()
            return
        stats.opened += 1
        buffer = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                stats.closed_by_server += 1
                return
            buffer += chunk
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                if b"\ndata:" in b"\n" + block:
                    stats.events_seen += 1
                    if self.arrivals is not None:
                        self.arrivals.put_nowait(time.monotonic())

    def start(self):
        self.task = asyncio.ensure_future(self.run())
        self.task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)
        return self

    def stop(self):
        if self.writer:
            self.writer.close()
        self.task.cancel()


async def publisher():
    """One small broadcast a second to every stream."""
    n = 0
    while True:
        n += 1
        await request(args.admin_port, post("/api/push", {"event": "tick", "data": f"tick {n}"}))
        await asyncio.sleep(1)


async def canary_loop(canary):
    while True:
        sent = time.monotonic()
        await request(args.admin_port, post("/api/push", {"event": "canary", "data": "tweet"}))
        try:
            arrived = await asyncio.wait_for(canary.arrivals.get(), 10)
            stats.canary.append((arrived - sent) * 1000)
        except asyncio.TimeoutError:
            stats.canary.append(10000.0)
        await asyncio.sleep(2)


async def churn(population):
    while True:
        await asyncio.sleep(1)
        for _ in range(max(1, int(len(population) * args.churn))):
            victim = population.pop(random.randrange(len(population)))
            victim.stop()
            population.append(Stream("/eventsource/tick").start())


async def hold(seconds, raw, port=None):
    """Opens a connection that sends `raw` and never reads, for a while."""
    try:
        _, writer = await asyncio.open_connection(HOST, port or args.port, limit=1024)
    except OSError:
        return
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    writer.write(raw)
    await asyncio.sleep(seconds)
    writer.transport.abort()


async def probe(kind, port, raw):
    """An attack request; its answer's status is tallied by kind."""
    got = await request(port, raw)
    stats.count(stats.answers, f"{kind} {got[9:12].decode(errors='replace') or 'none'}")


async def attacks():
    upgrade = (f"GET /control HTTP/1.1\r\nHost: {HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
    while True:
        await asyncio.sleep(args.attack_every)
        jobs = []
        # Replays nobody reads: everything retained, each holding its buffer for 5 s.
        for _ in range(20):
            jobs.append(hold(5, b"GET /eventsource/bulk HTTP/1.1\r\nHost: x\r\nLast-Event-ID: x-1\r\n\r\n"))
        stats.count(stats.attacks, "silent replays", 20)
        # Wrong passwords (throttled after the burst).
        for _ in range(10):
            jobs.append(probe("login", args.port, post("/login", {"username": "alice", "password": "wrong"}, admin=False)))
        stats.count(stats.attacks, "wrong logins", 10)
        # Malformed heads, smuggling framings, a bad chunk.
        for raw in (b"GET /eventsource HTTP/7.3\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n",
                    b"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            jobs.append(probe("malformed", args.port, raw))
        stats.count(stats.attacks, "malformed requests", 3)
        # A filter list past the bound, and wrong admin tokens.
        jobs.append(probe("filter", args.port, b"GET /eventsource/" + b",".join(b"n%d" % i for i in range(400))
                          + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
        jobs.append(probe("admin token", args.admin_port,
                          b"GET /api/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\r\n"))
        stats.count(stats.attacks, "long filters + wrong tokens", 2)
        # Control sockets that never authenticate (closed by the server after 10 s).
        for _ in range(5):
            jobs.append(hold(12, upgrade, args.admin_port))
        stats.count(stats.attacks, "unauthenticated consoles", 5)
        await asyncio.gather(*jobs, return_exceptions=True)


async def main():
    # History of larger events for the replay attack: 1,000 of 8 KB.
    for i in range(1000):
        await request(args.admin_port, post("/api/push", {"event": "bulk", "data": "x" * 8000}))
    population = [Stream("/eventsource/tick").start() for _ in range(args.streams)]
    canary = Stream("/eventsource/canary", record=True).start()
    await asyncio.sleep(5)
    tasks = [asyncio.ensure_future(job) for job in (publisher(), canary_loop(canary), churn(population), attacks())]
    started = time.monotonic()
    print(f"{'minute':>6} {'rss MiB':>8} {'streams':>8} {'canary p50 ms':>13} {'canary max ms':>13} "
          f"{'events seen':>11} {'server closed':>13}", flush=True)
    rss_samples = []
    while time.monotonic() - started < args.seconds:
        await asyncio.sleep(args.interval)
        window, stats.canary = stats.canary, []
        rss = rss_kib()
        rss_samples.append(rss)
        stats_body = await request(args.admin_port, f"GET /api/stats HTTP/1.1\r\nHost: x\r\n"
                                                    f"Authorization: Bearer {args.token}\r\n\r\n".encode())
        try:
            open_streams = json.loads(stats_body.partition(b"\r\n\r\n")[2]).get("connections", -1)
        except ValueError:
            open_streams = -1
        p50 = statistics.median(window) if window else -1
        worst = max(window) if window else -1
        print(f"{(time.monotonic() - started) / 60:6.1f} {rss / 1024:8.1f} {open_streams:8} {p50:13.1f} "
              f"{worst:13.1f} {stats.events_seen:11} {stats.closed_by_server:13}", flush=True)
    for task in tasks:
        task.cancel()
    print(f"rss first {rss_samples[0] / 1024:.1f} MiB, last {rss_samples[-1] / 1024:.1f} MiB, "
          f"max {max(rss_samples) / 1024:.1f} MiB")
    print("attacks sent:", ", ".join(f"{k} {v}" for k, v in stats.attacks.items()))
    print("answers:", ", ".join(f"{k}: {v}" for k, v in sorted(stats.answers.items())))
    print("streams opened:", stats.opened, "refused:", stats.refused or "none")


asyncio.run(main())
