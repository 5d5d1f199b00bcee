#!/usr/bin/env bash
# Over TLS, ours against Nchan behind nginx's own TLS and HTTP/2 (peers/nchan-tls.conf), on
# the same self-signed certificate:
# - HTTP/2: broadcast to 1,000 and 10,000 streams, 100 a connection, with Node's http2
#   (broadcast.mjs; each line is one run's median of 5 rounds);
# - HTTP/1.1: broadcast to 1,000 and 10,000 streams, one connection each, with the load
#   client of the plain figures (esh-loadclient --tls: Node's TLS, one thread for 10,000
#   connections, was the slowest party and measured itself), which also gives the RSS per
#   idle TLS stream (rss_per_stream_kb, taken while they connect).
# Each run starts both servers fresh, ours first then Nchan, RUNS times (default 5).
# Figures go to docs/BENCHMARKS.md, "HTTP/2 and TLS".
# Usage: tests/bench/h2/run-h2-bench.sh [BUILD_DIR] (default build); PROTOCOLS="h2 http1".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-$root/build}
server=$build/server/eventsource-server
client=$build/tests/bench/esh-loadclient
runs=${RUNS:-5}
# shellcheck source=../free-port.sh
source "$here/../free-port.sh"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
token=bench-token-0123456789abcdef0123456789
ulimit -n "$(ulimit -Hn)"

# broadcast PROTOCOL STREAMS KIND URL_PORT PUBLISH_PORT SERVER_PIDS: one measurement.
broadcast() {
    local protocol=$1 streams=$2 kind=$3 port=$4 pub=$5 pids=$6
    if [ "$protocol" = h2 ]; then
        if [ "$kind" = ours ]; then
            node "$here/broadcast.mjs" "https://127.0.0.1:$port/eventsource" $((streams / 100)) 100 \
                "http://127.0.0.1:$pub/api/push" "Bearer $token"
        else
            node "$here/broadcast.mjs" "https://127.0.0.1:$port/sub/all" $((streams / 100)) 100 \
                "http://127.0.0.1:$pub/pub/all"
        fi
    elif [ "$kind" = ours ]; then
        "$client" --tls --port "$port" --admin-port "$pub" --token "$token" --streams "$streams" \
            --server-pid "$pids" | tr '\n' ' '
        echo
    else
        "$client" --tls --port "$port" --admin-port "$pub" --no-auth --push-content-type text/plain \
            --push-body %s --ready-marker ': hi' --path /sub/all --push-path /pub/all --streams "$streams" \
            --server-pid "$pids" | tr '\n' ' '
        echo
    fi
}

run_ours() {
    local protocol=$1 streams=$2 port admin pid
    port=$(free_port)
    admin=$(free_port)
    "$server" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --admin-token "$token" \
        --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --max-connections 20000 --heartbeat-ms 60000 \
        >"$work/ours.log" 2>&1 &
    pid=$!
    until grep -q ready "$work/ours.log"; do sleep 0.1; done
    broadcast "$protocol" "$streams" ours "$port" "$admin" "$pid"
    kill "$pid"
    wait "$pid" || true
}

run_nchan() {
    local protocol=$1 streams=$2 sub pub pid
    sub=$(free_port)
    pub=$(free_port)
    rm -rf "$work/nchan"
    mkdir -p "$work/nchan/tmp"
    sed -e "s|@SUB_PORT@|$sub|; s|@PUB_PORT@|$pub|; s|@CERT@|$work/cert.pem|; s|@KEY@|$work/key.pem|" \
        "$here/../peers/nchan-tls.conf" >"$work/nchan/nchan.conf"
    nginx -c "$work/nchan/nchan.conf" -p "$work/nchan/" >"$work/nchan/log" 2>&1 &
    pid=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$pub") 2>/dev/null; do sleep 0.1; done
    broadcast "$protocol" "$streams" nchan "$sub" "$pub" "$(pgrep -P "$pid" | paste -sd, -)"
    kill "$pid"
    wait "$pid" || true
}

for protocol in ${PROTOCOLS:-h2 http1}; do
    for streams in 1000 10000; do
        for run in $(seq "$runs"); do
            echo "$protocol, $streams streams, run $run: ours  $(run_ours "$protocol" "$streams")"
            echo "$protocol, $streams streams, run $run: nchan $(run_nchan "$protocol" "$streams")"
        done
    done
done
