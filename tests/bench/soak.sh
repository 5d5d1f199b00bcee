#!/usr/bin/env bash
# Soak: eventsource-server (Release, SQLite history) for a bounded time with STREAMS streams
# (CHURN of them replaced each second), one broadcast a second, a canary stream that measures
# delivery delay every 2 s, and the attacks of docs/SECURITY.md mixed in every ATTACK_EVERY
# seconds (replays nobody reads, wrong passwords, malformed and smuggling heads, long filter
# lists, wrong admin tokens, consoles that never authenticate). Prints RSS, open streams and
# canary delay per INTERVAL; figures go to docs/BENCHMARKS.md.
#   tests/bench/soak.sh [BUILD_DIR]   (default build-bench, configured as Release)
# Environment: SECONDS_TOTAL (3600), STREAMS (5000), INTERVAL (60), CHURN (0.01 of the
# streams replaced each second), ATTACK_EVERY (10).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
bash "$root/resources/scripts/install-deps.sh" python3

if [ ! -x "$build/server/eventsource-server" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target eventsource-server >/dev/null
fi
server=$build/server/eventsource-server
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

hash=$(printf 'alice-pw' | "$server" --hash-password)
printf '{"users": [{"id": "u1", "name": "alice", "password": "%s"}]}\n' "$hash" > "$work/users.json"
token=soak-admin-token-0123456789abcdef0123456789
"$server" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --admin-token "$token" \
    --data-dir "$work/data" --users "$work/users.json" --max-connections 50000 \
    --history-size 1000 >"$work/server.out" 2>"$work/server.err" &
pid=$!
for _ in $(seq 100); do
    grep -q 'ready public=' "$work/server.out" 2>/dev/null && break
    sleep 0.1
done
ready=$(grep -o 'ready public=[0-9]* admin=[0-9]*' "$work/server.out") || {
    echo "the server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }
public=$(echo "$ready" | sed 's/.*public=\([0-9]*\).*/\1/')
admin=$(echo "$ready" | sed 's/.*admin=\([0-9]*\).*/\1/')

echo "soak: ${SECONDS_TOTAL:-3600} s, ${STREAMS:-5000} streams, server pid $pid ($(nproc) cores)"
python3 "$root/tests/bench/soak.py" --port "$public" --admin-port "$admin" --token "$token" --pid "$pid" \
    --seconds "${SECONDS_TOTAL:-3600}" --streams "${STREAMS:-5000}" --interval "${INTERVAL:-60}" \
    --churn "${CHURN:-0.01}" --attack-every "${ATTACK_EVERY:-10}"
kill -0 "$pid" || { echo "the server died:" >&2; tail -n 20 "$work/server.err" >&2; exit 1; }
echo "server log lines: $(wc -l < "$work/server.err") (refusals are logged at most once a second)"
