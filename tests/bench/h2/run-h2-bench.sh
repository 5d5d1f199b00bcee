#!/usr/bin/env bash
# Over TLS: broadcast to 1,000 and 10,000 streams (HTTP/2 with 100 a connection, and
# HTTP/1.1 with one connection each) from ours and from
# Nchan behind nginx's own TLS and HTTP/2 (peers/nchan-tls.conf), on the same self-signed
# certificate and with the same client (broadcast.mjs, Node's http2). Each run starts both
# servers fresh, ours first then Nchan, RUNS times (default 3); each line is one run's
# median of 5 rounds. Figures go to docs/BENCHMARKS.md, "HTTP/2 and TLS".
# Usage: tests/bench/h2/run-h2-bench.sh [SERVER_BINARY] (default build/server/eventsource-server).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
server=${1:-$root/build/server/eventsource-server}
runs=${RUNS:-3}
# shellcheck source=../free-port.sh
source "$here/../free-port.sh"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" \
    -out "$work/cert.pem" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
token=bench-token-0123456789abcdef0123456789
ulimit -n "$(ulimit -Hn)"

run_ours() {
    local streams=$1 port admin pid
    port=$(free_port)
    admin=$(free_port)
    "$server" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --admin-token "$token" \
        --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --max-connections 20000 >"$work/ours.log" 2>&1 &
    pid=$!
    until grep -q ready "$work/ours.log"; do sleep 0.1; done
    node "$here/broadcast.mjs" "https://127.0.0.1:$port/eventsource" $((streams / 100)) 100 \
        "http://127.0.0.1:$admin/api/push" "Bearer $token"
    kill "$pid"
    wait "$pid" || true
}

run_nchan() {
    local streams=$1 sub pub pid
    sub=$(free_port)
    pub=$(free_port)
    rm -rf "$work/nchan"
    mkdir -p "$work/nchan/tmp"
    sed -e "s|@SUB_PORT@|$sub|; s|@PUB_PORT@|$pub|; s|@CERT@|$work/cert.pem|; s|@KEY@|$work/key.pem|" \
        "$here/../peers/nchan-tls.conf" >"$work/nchan/nchan.conf"
    nginx -c "$work/nchan/nchan.conf" -p "$work/nchan/" >"$work/nchan/log" 2>&1 &
    pid=$!
    until (exec 3<>"/dev/tcp/127.0.0.1/$pub") 2>/dev/null; do sleep 0.1; done
    node "$here/broadcast.mjs" "https://127.0.0.1:$sub/sub/all" $((streams / 100)) 100 "http://127.0.0.1:$pub/pub/all"
    kill "$pid"
    wait "$pid" || true
}

# PROTOCOLS: "h2 http1" by default (broadcast.mjs's PROTOCOL).
for protocol in ${PROTOCOLS:-h2 http1}; do
    export PROTOCOL=$protocol
    for streams in 1000 10000; do
        for run in $(seq "$runs"); do
            echo "$protocol, $streams streams, run $run: ours  $(run_ours "$streams")"
            echo "$protocol, $streams streams, run $run: nchan $(run_nchan "$streams")"
        done
    done
done
