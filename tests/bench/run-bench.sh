#!/usr/bin/env bash
# Runs the benchmark scenarios against eventsource-server, each on a fresh server, RUNS times,
# and prints the median and the spread (min..max) of each figure. Figures go to
# docs/BENCHMARKS.md. Usage: tests/bench/run-bench.sh [BUILD_DIR] (default: build-bench,
# configured as Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
runs=${RUNS:-5}
secret=bench-secret-0123456789abcdef0123456789

if [ ! -x "$build/tests/bench/esh-loadclient" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target eventsource-server esh-loadclient >/dev/null
fi
server=$build/server/eventsource-server
client=$build/tests/bench/esh-loadclient
out=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$out"' EXIT

# Starts a server, runs the client with the given arguments, stops the server.
scenario() {
    "$server" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --admin-token bench \
        --max-connections 20000 --jwt-secret "$secret" --heartbeat-ms 60000 >"$out/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q ready "$out/server.log" && break; sleep 0.1; done
    local port admin
    port=$(grep -o 'public=[0-9]*' "$out/server.log" | cut -d= -f2)
    admin=$(grep -o 'admin=[0-9]*' "$out/server.log" | cut -d= -f2)
    "$client" --port "$port" --admin-port "$admin" --token bench --server-pid "$pid" "$@"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}

# Median and min..max of key over the lines of a file.
stat() {
    grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | sort -n | awk '
        { v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f (%.2f..%.2f)", m, v[1], v[NR] }'
}

run() {
    local name=$1; shift
    : >"$out/$name"
    for _ in $(seq "$runs"); do scenario "$@" >>"$out/$name"; done
}

run b1k --streams 1000 --events 30
run b10k --streams 10000 --events 15
run sustained --streams 100 --burst 5000
run t100 --streams 100 --events 200 --target-user alice --jwt-secret "$secret"
run t10k --streams 10000 --events 200 --target-user alice --jwt-secret "$secret"

echo "eventsource-server $("$server" --version | cut -d' ' -f2), $(nproc) cores, $runs runs each: median (min..max)"
printf '%-44s %s\n' \
    "broadcast 1,000 streams: publish->last ms" "$(stat last_ms_median "$out/b1k")" \
    "broadcast 1,000 streams: publish->last p99" "$(stat last_ms_p99 "$out/b1k")" \
    "broadcast 10,000 streams: publish->first ms" "$(stat first_ms_median "$out/b10k")" \
    "broadcast 10,000 streams: publish->last ms" "$(stat last_ms_median "$out/b10k")" \
    "broadcast 10,000 streams: publish->last p99" "$(stat last_ms_p99 "$out/b10k")" \
    "connect 10,000 streams: ms" "$(stat connect_all_ms "$out/b10k")" \
    "RSS per idle stream (10,000): KiB" "$(stat rss_per_stream_kb "$out/b10k")" \
    "sustained 100 streams: deliveries/s" "$(stat deliveries_per_s "$out/sustained")" \
    "targeted 1 of 100: publish->delivered ms" "$(stat last_ms_median "$out/t100")" \
    "targeted 1 of 10,000: publish->delivered ms" "$(stat last_ms_median "$out/t10k")"
