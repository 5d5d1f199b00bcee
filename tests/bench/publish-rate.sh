#!/usr/bin/env bash
# Publishes/s through POST /api/push with CONNECTIONS keep-alive publishers (wrk, one thread),
# on a fresh server per run: with a data dir (every answer after its SQLite commit) and with
# the history in memory. Prints each run's rate and the median (min..max) per mode. Usage:
# tests/bench/publish-rate.sh [BUILD_DIR] (default build-bench). Environment: RUNS (5),
# CONNECTIONS (4), SECONDS_PER_RUN (10), MODES ("sqlite memory"), EXTRA (more server flags),
# BATCH (events per request: above 1, batch publishes of that many, push-batch.lua; the rate
# is then events/s, requests/s times BATCH).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
runs=${RUNS:-5}
connections=${CONNECTIONS:-4}
duration=${SECONDS_PER_RUN:-10}
modes=${MODES:-sqlite memory}
batch=${BATCH:-1}
script=$root/tests/bench/push.lua
[ "$batch" -gt 1 ] && script=$root/tests/bench/push-batch.lua
export BENCH_BATCH=$batch
server=$build/server/eventsource-server
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$server" ] || { echo "no $server: build it first (Release)" >&2; exit 1; }
export BENCH_TOKEN=bench-token-0123456789abcdef0123456789
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

# shellcheck source=tests/bench/free-port.sh
source "$root/tests/bench/free-port.sh"

median() { sort -n | awk '{a[NR]=$1} END {printf "%.0f (%.0f..%.0f)", a[int((NR+1)/2)], a[1], a[NR]}'; }

for mode in $modes; do
    rates=()
    for run in $(seq "$runs"); do
        public=$(free_port); admin=$(free_port)
        flags=(--listen "127.0.0.1:$public" --admin-listen "127.0.0.1:$admin" --admin-token "$BENCH_TOKEN")
        [ "$mode" = sqlite ] && { rm -rf "$work/data"; flags+=(--data-dir "$work/data"); }
        # shellcheck disable=SC2086
        "$server" "${flags[@]}" ${EXTRA:-} >"$work/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$admin") 2>/dev/null && break; sleep 0.1; done
        out=$(wrk -t1 -c"$connections" -d"${duration}s" -s "$script" "http://127.0.0.1:$admin")
        kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
        rate=$(awk -v batch="$batch" '/^Requests\/sec/ {printf "%.0f", $2 * batch}' <<<"$out")
        bad=$(awk '/^non-2xx-or-3xx/ {print $2}' <<<"$out")
        [ "${bad:-0}" = 0 ] || { echo "$mode run $run: $bad answers were not 200" >&2; exit 1; }
        echo "$mode run $run: $rate events/s"
        rates+=("$rate")
    done
    echo "$mode, $connections publishers, $batch per request: $(printf '%s\n' "${rates[@]}" | median) events/s"
done
