#!/usr/bin/env bash
# Runs the benchmark scenarios against eventsource-server and, where they are installed, against
# peer SSE servers (tests/bench/install-peers.sh installs them), each on a fresh server, RUNS
# times, with the same load client (esh-loadclient). Prints per figure the median and spread
# (min..max) of each server and the ratio of medians ours/peer. Figures go to
# docs/BENCHMARKS.md. Usage: tests/bench/run-bench.sh [BUILD_DIR] (default: build-bench,
# configured as Release).
#
# Environment: RUNS (5), PEERS (default "nchan nchan-mt pushpin better-sse"; empty: ours
# only), STREAMS_SMALL (1000), STREAMS_LARGE (10000), STREAMS_MAX (15000; 0 skips those
# scenarios), STREAMS_SUSTAINED (100), BURST (5000), SEND_THREADS (our --send-threads;
# default: the server's own, cores - 1), PEERS_DIR
# (better-sse's npm folder, build-bench/peers; if it has none, better-sse is installed with npm
# into a temporary folder for this run).
#
# How each peer is driven (tests/bench/peers/): streams subscribe to channel "all" and pushes
# are published to it; in the targeted scenarios the target stream subscribes to its own
# channel "alice" and pushes go to that channel (peers have no users: a per-user channel is
# their way to reach one user).
#   nchan       nginx + libnginx-mod-nchan, peers/nchan.conf: GET /sub/<ch> (EventSource),
#               POST /pub/<ch> on a second port, raw body. Ready on Nchan's ": hi" comment.
#               One worker process. RSS: nginx's worker processes.
#   nchan-mt    the same with one worker process per core (nginx's "auto"), as our server
#               sends large broadcasts from one thread per core.
#   pushpin     pushpin with peers/pushpin.conf, origin peers/pushpin-origin.js (Node) answering
#               GET /sub/<ch> with Grip-Hold: stream + Grip-Channel: <ch> and ": ready"; pushes
#               through Pushpin's HTTP publish API (POST /publish/, one item, http-stream
#               format), which closes its connection after each answer (so no pipelining).
#               The handler's publish throttle is off (message_rate=0, see pushpin.conf).
#               ": ready" reaches the client before the handler subscribes the stream, so
#               the client pushes warm-up events until every stream has one (--warmup;
#               counted in the connect time). Streams connect at most 100 at a time
#               (--connect-window): with a few hundred at once pushpin-proxy fails some
#               (502, or a closed stream). Beyond a thousand streams or so, the handler
#               still cancels a few percent of them ("received message out of sequence"):
#               the client leaves those out (--allow-closed) and a note says how many.
#               RSS: pushpin and its services (condure, zurl, pushpin-proxy,
#               pushpin-handler), not the origin.
#   better-sse  peers/better-sse-server.js on Node: GET /sub/<ch>, POST /pub/<ch> on one port.
#               Ready on better-sse's "retry:" line. RSS: the node process.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/tests/bench
build=${1:-$root/build-bench}
runs=${RUNS:-5}
secret=bench-secret-0123456789abcdef0123456789
n_small=${STREAMS_SMALL:-1000}
n_large=${STREAMS_LARGE:-10000}
n_max=${STREAMS_MAX:-15000}
n_sustained=${STREAMS_SUSTAINED:-100}
burst=${BURST:-5000}
peers_dir=${PEERS_DIR:-$root/build-bench/peers}
wanted_peers=${PEERS-nchan nchan-mt pushpin better-sse}
send_threads=()
[ -n "${SEND_THREADS:-}" ] && send_threads=(--send-threads "$SEND_THREADS")

if [ ! -x "$build/tests/bench/esh-loadclient" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target eventsource-server esh-loadclient >/dev/null
fi
server=$build/server/eventsource-server
client=$build/tests/bench/esh-loadclient
out=$(mktemp -d)
pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; rm -rf "$out"' EXIT
# Peers take the soft limit they are started with; the hub and the client raise their own.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# shellcheck source=tests/bench/free-port.sh
source "$root/tests/bench/free-port.sh"
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2; return 1
}
# True once GET path on port answers with text containing marker within a second.
probe() {
    local port=$1 path=$2 marker=$3
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf 'GET %s HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n' "$path" >&3
        timeout 1 cat <&3 >"$out/probe" || true
    ) 2>/dev/null
    grep -q "$marker" "$out/probe" 2>/dev/null
}

# --- peers: which run -------------------------------------------------------------------
node_path=""
peer_available() {
    case $1 in
    nchan | nchan-mt) command -v nginx >/dev/null && [ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] ;;
    pushpin) command -v pushpin >/dev/null && command -v node >/dev/null ;;
    better-sse)
        command -v node >/dev/null || return 1
        if [ -f "$peers_dir/node_modules/better-sse/package.json" ]; then
            node_path=$peers_dir/node_modules
        elif command -v npm >/dev/null; then
            echo "better-sse: not in $peers_dir, installing it with npm into $out/npm for this run" >&2
            mkdir -p "$out/npm" && echo '{"private":true}' >"$out/npm/package.json"
            (cd "$out/npm" && npm install --silent --no-audit --no-fund better-sse >&2) || return 1
            node_path=$out/npm/node_modules
        else
            return 1
        fi
        ;;
    *) echo "unknown peer $1" >&2; return 1 ;;
    esac
}
peers=()
for p in $wanted_peers; do
    if peer_available "$p"; then peers+=("$p"); else echo "peer $p: not installed, skipped" >&2; fi
done
versions() {
    echo "eventsource-server $("$server" --version | cut -d' ' -f2)"
    local p
    for p in "${peers[@]}"; do
        case $p in
        nchan) echo "nchan $(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null) on nginx $(nginx -v 2>&1 | cut -d/ -f2), 1 worker" ;;
        nchan-mt) echo "nchan-mt: $(nproc) workers" ;;
        pushpin) echo "pushpin $(dpkg-query -W -f='${Version}' pushpin 2>/dev/null), condure $(dpkg-query -W -f='${Version}' condure 2>/dev/null)" ;;
        better-sse) echo "better-sse $(node -p "require('$node_path/better-sse/package.json').version") on node $(node --version)" ;;
        esac
    done
}

# --- starting and stopping one server ---------------------------------------------------
# start_<server> starts it and sets: pids (to stop), rss_pids (comma-separated, for RSS),
# base (client arguments to reach it), bcast and target (client arguments that publish to
# everyone and to the target).
start_ours() {
    # Ports below the ephemeral range, as for the peers: a port 0 listener lands among the
    # client's source ports, where a new stream can meet a previous run's connection still
    # in TIME_WAIT or FIN_WAIT2 and be reset.
    local public admin_port
    public=$(free_port)
    admin_port=$(free_port)
    while [ "$admin_port" = "$public" ]; do admin_port=$(free_port); done
    "$server" --listen "127.0.0.1:$public" --admin-listen "127.0.0.1:$admin_port" --admin-token bench \
        --max-connections 20000 --jwt-secret "$secret" --heartbeat-ms 60000 "${send_threads[@]}" \
        >"$out/server.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    # Up to 30 s: a loaded machine (CI, a build beside it) can be slow to start the next one.
    for _ in $(seq 300); do grep -qs ' ready public=' "$out/server.log" && break; sleep 0.1; done
    if ! grep -qs ' ready public=' "$out/server.log"; then
        echo "eventsource-server did not get ready within 30 s; its log:" >&2
        cat "$out/server.log" >&2
        return 1
    fi
    local port admin
    # Only the ready line: the start-up log line also says public= and admin=.
    port=$(sed -n 's/.* ready public=\([0-9]*\).*/\1/p' "$out/server.log")
    admin=$(sed -n 's/.* ready .*admin=\([0-9]*\).*/\1/p' "$out/server.log")
    rss_pids=$pid
    base=(--port "$port" --admin-port "$admin" --token bench)
    bcast=()
    target=(--target-user alice --jwt-secret "$secret")
}

start_nchan() { nchan_with_workers 1; }
start_nchan-mt() { nchan_with_workers "$(nproc)"; }
nchan_with_workers() {
    local workers=$1 dir=$out/nchan sub pub
    rm -rf "$dir"; mkdir -p "$dir/tmp"
    sub=$(free_port); pub=$(free_port)
    sed -e "s/@SUB_PORT@/$sub/; s/@PUB_PORT@/$pub/; s/@WORKERS@/$workers/; s/@NOFILE@/$(ulimit -Hn)/" \
        "$here/peers/nchan.conf" >"$dir/nchan.conf"
    nginx -c "$dir/nchan.conf" -p "$dir/" >"$dir/log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    wait_port "$sub" && wait_port "$pub" || return 1
    local children=""
    for _ in $(seq 50); do
        children=$(pgrep -P "$pid" | paste -sd, -)
        [ "$(echo "$children" | tr ',' '\n' | grep -c .)" -ge "$workers" ] && break
        sleep 0.1
    done
    rss_pids=$children
    base=(--port "$sub" --admin-port "$pub" --no-auth --push-content-type text/plain --push-body %s
        --ready-marker ': hi')
    channel_routes
}

# Peers with a channel per path: everyone on "all", the targeted user on its own channel.
channel_routes() {
    bcast=(--path /sub/all --push-path /pub/all)
    target=(--path /sub/all --target-user alice --target-path /sub/alice --push-path /pub/alice)
}

# A publish request of Pushpin's HTTP API: one item for a channel; %s is the event's data.
pushpin_item() {
    printf '{"items":[{"channel":"%s","formats":{"http-stream":{"content":"data: %%s\\n\\n"}}}]}' "$1"
}
start_pushpin() {
    local dir=$out/pushpin http pub
    rm -rf "$dir"; mkdir -p "$dir/log"
    node "$here/peers/pushpin-origin.js" "$(free_port)" >"$dir/origin.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do grep -qs ready "$dir/origin.log" && break; sleep 0.1; done
    echo "* 127.0.0.1:$(grep -o 'port=[0-9]*' "$dir/origin.log" | cut -d= -f2)" >"$dir/routes"
    http=$(free_port); pub=$(free_port)
    sed -e "s#@RUNDIR@#$dir#g; s/@HTTP_PORT@/$http/; s/@PUB_PORT@/$pub/; s/@MAXCONN@/$(ulimit -Hn)/" \
        "$here/peers/pushpin.conf" >"$dir/pushpin.conf"
    pushpin --config "$dir/pushpin.conf" >"$dir/log/pushpin.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    wait_port "$http" && wait_port "$pub" || return 1
    # The port opens before the proxy and handler are linked up: wait for a held stream.
    for _ in $(seq 50); do probe "$http" /sub/probe ': ready' && break; sleep 0.1; done
    # Streams opened in the first second or two after start are sometimes cancelled by the
    # handler ("received message out of sequence"): let it settle.
    sleep 2
    rss_pids=$(echo "$pid" $(pgrep -P "$pid") | tr ' ' ,)
    base=(--port "$http" --admin-port "$pub" --no-auth --push-path /publish/ --ready-marker ': ready' --warmup
        --connect-window 100 --allow-closed)
    bcast=(--path /sub/all --push-body "$(pushpin_item all)")
    target=(--path /sub/all --target-user alice --target-path /sub/alice --push-body "$(pushpin_item alice)")
}

start_better-sse() {
    local dir=$out/better-sse
    rm -rf "$dir"; mkdir -p "$dir"
    NODE_PATH=$node_path node "$here/peers/better-sse-server.js" "$(free_port)" >"$dir/log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 50); do grep -qs ready "$dir/log" && break; sleep 0.1; done
    local port
    port=$(grep -o 'port=[0-9]*' "$dir/log" | cut -d= -f2)
    rss_pids=$pid
    base=(--port "$port" --admin-port "$port" --no-auth --push-content-type text/plain --push-body %s
        --ready-marker 'retry:')
    channel_routes
}

# Says whether our server is still running or how it ended (a crash leaves a core in the
# current folder when core dumps are on). Not in a subshell: only this shell can wait for it.
report_server_state() {
    if kill -0 "$1" 2>/dev/null; then
        echo "eventsource-server is still running." >&2
        return
    fi
    local status=0
    wait "$1" 2>/dev/null || status=$?
    echo "eventsource-server is gone (exit status $status)." >&2
}

# scenario SERVER NAME bcast|target CLIENT-ARGS...: one run on a fresh server, figures appended
# to $out/SERVER.NAME. Our server's failure stops the script; a peer's is reported and skipped.
scenario() {
    local srv=$1 name=$2 kind=$3; shift 3
    if ! "start_$srv"; then
        echo "$srv: did not start" >&2
        [ "$srv" != ours ] || exit 1
        stop_all
        return
    fi
    local mode=("${bcast[@]}")
    [ "$kind" = target ] && mode=("${target[@]}")
    if [ "$srv" = ours ]; then
        if ! "$client" "${base[@]}" "${mode[@]}" --server-pid "$rss_pids" "$@" >>"$out/$srv.$name"; then
            echo "eventsource-server: scenario $name failed." >&2
            report_server_state "$rss_pids"
            echo "The end of its log:" >&2
            tail -n 20 "$out/server.log" >&2
            exit 1
        fi
    elif ! "$client" "${base[@]}" "${mode[@]}" --server-pid "$rss_pids" "$@" >>"$out/$srv.$name"; then
        echo "$srv: scenario $name failed; the end of its logs:" >&2
        find "$out/$srv" -name '*log' -type f -exec tail -n 5 {} + >&2 2>/dev/null || true
    fi
    stop_all
}

servers=(ours "${peers[@]}")
# Runs interleave the servers, so that whatever else the machine does is shared among them.
run() {
    local name=$1 kind=$2; shift 2
    local srv
    for srv in "${servers[@]}"; do : >"$out/$srv.$name"; done
    for _ in $(seq "$runs"); do
        for srv in "${servers[@]}"; do scenario "$srv" "$name" "$kind" "$@"; done
    done
}

run b1k bcast --streams "$n_small" --events 30
run b10k bcast --streams "$n_large" --events 15
run sustained bcast --streams "$n_sustained" --burst "$burst"
run t100 target --streams 100 --events 200
run t10k target --streams "$n_large" --events 200
if [ "$n_max" -gt 0 ]; then
    run b15k bcast --streams "$n_max" --events 10
    run t15k target --streams "$n_max" --events 200
fi

# Median and min..max of key over the lines of a file.
stat() {
    grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | sort -n | awk '
        { v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f (%.2f..%.2f)", m, v[1], v[NR] }'
}
median() { stat "$1" "$2" | cut -d' ' -f1; }
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}
row() {
    local label=$1 key=$2 file=$3 srv ours
    ours=$(median "$key" "$out/ours.$file")
    printf '%-46s %-20s %-34s\n' "$label" eventsource-server "$(stat "$key" "$out/ours.$file")"
    for srv in "${peers[@]}"; do
        printf '%-46s %-20s %-34s %s\n' "" "$srv" "$(stat "$key" "$out/$srv.$file")" \
            "$(ratio "$ours" "$(median "$key" "$out/$srv.$file")")"
    done
}

versions | paste -sd';' - | sed 's/;/; /g'
echo "$(nproc) cores, $runs runs each: median (min..max); last column: ours/peer (ratio of medians;"
echo "below 1 is better for times and memory, above 1 for deliveries/s)"
printf '%-46s %-20s %-34s %s\n' figure server "median (min..max)" ours/peer
row "broadcast $n_small streams: publish->last ms" last_ms_median b1k
row "broadcast $n_small streams: publish->last p99" last_ms_p99 b1k
row "broadcast $n_large streams: publish->first ms" first_ms_median b10k
row "broadcast $n_large streams: publish->last ms" last_ms_median b10k
row "broadcast $n_large streams: publish->last p99" last_ms_p99 b10k
row "connect $n_large streams: ms" connect_all_ms b10k
row "RSS per idle stream ($n_large): KiB" rss_per_stream_kb b10k
row "sustained $n_sustained streams: deliveries/s" deliveries_per_s sustained
row "targeted 1 of 100: publish->delivered ms" last_ms_median t100
row "targeted 1 of $n_large: publish->delivered ms" last_ms_median t10k
files=(b1k b10k sustained t100 t10k)
if [ "$n_max" -gt 0 ]; then
    row "connect $n_max streams: ms" connect_all_ms b15k
    row "broadcast $n_max streams: publish->last ms" last_ms_median b15k
    row "RSS per idle stream ($n_max): KiB" rss_per_stream_kb b15k
    row "targeted 1 of $n_max: publish->delivered ms" last_ms_median t15k
    files+=(b15k t15k)
fi
for srv in "${peers[@]}"; do
    for file in "${files[@]}"; do
        closed=$(grep -so 'closed_streams=[0-9]*' "$out/$srv.$file" | cut -d= -f2 | sort -n | tail -n 1 || true)
        if [ -n "$closed" ] && [ "$closed" -gt 0 ]; then
            echo "note: $srv closed up to $closed streams in a run of scenario $file; its figures leave them out"
        fi
    done
done
