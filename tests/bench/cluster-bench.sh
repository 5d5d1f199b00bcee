#!/usr/bin/env bash
# Cluster figures (issue 12): publish on node A -> streams on nodes B and C, against the same
# streams on one standalone node and, when nginx with Nchan is installed
# (tests/bench/install-peers.sh nchan), against three Nchan instances sharing one Redis
# (peers/nchan-redis.conf: publish on the first, streams on the other two), all with the same
# load client (esh-loadclient); and sustained publishing through Redis (pipelined pushes on A,
# 100 streams on B and C: every push must reach every stream). Fresh servers and a fresh
# redis-server (loopback, no persistence) per run. Prints median (min..max) of RUNS runs and
# the ratios cluster/standalone and cluster/Nchan. Usage:
# tests/bench/cluster-bench.sh [BUILD_DIR] (default build-bench, Release). Environment: RUNS
# (5), STREAMS_SMALL (1000), STREAMS_LARGE (10000), BURST (20000).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
runs=${RUNS:-5}
n_small=${STREAMS_SMALL:-1000}
n_large=${STREAMS_LARGE:-10000}
burst=${BURST:-20000}
server=$build/server/eventsource-server
client=$build/tests/bench/esh-loadclient
if [ ! -x "$client" ] || [ ! -x "$server" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target eventsource-server esh-loadclient >/dev/null
fi
command -v redis-server >/dev/null || { echo "redis-server is not installed (install-deps.sh)" >&2; exit 1; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d)
pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; rm -rf "$out"' EXIT

# shellcheck source=tests/bench/free-port.sh
source "$root/tests/bench/free-port.sh"
# start_node NAME [flags]: sets port_<NAME>, admin_<NAME>, pid_<NAME>.
start_node() {
    local name=$1; shift
    # A history that holds a whole burst: a node refuses (503) publishes that run more than
    # half of it ahead of what it has read.
    "$server" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --admin-token bench --max-connections 20000 \
        --heartbeat-ms 60000 --history-size 100000 "$@" >"$out/$name.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do grep -qs ' ready ' "$out/$name.log" && break; sleep 0.1; done
    printf -v "port_$name" '%s' "$(sed -n 's/.* ready public=\([0-9]*\).*/\1/p' "$out/$name.log")"
    printf -v "admin_$name" '%s' "$(sed -n 's/.* ready .*admin=\([0-9]*\).*/\1/p' "$out/$name.log")"
    printf -v "pid_$name" '%s' "$pid"
}
start_redis() {
    redis_port=$(free_port)
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$out" \
        >"$out/redis.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
}
# start_nchan NAME: an nginx with Nchan on Redis; sets sub_<NAME>, pub_<NAME>, pid_<NAME>.
start_nchan() {
    local name=$1 dir=$out/nchan-$1 sub pub
    rm -rf "$dir"; mkdir -p "$dir/tmp"
    sub=$(free_port); pub=$(free_port)
    sed -e "s/@SUB_PORT@/$sub/; s/@PUB_PORT@/$pub/; s/@WORKERS@/1/; s/@NOFILE@/$(ulimit -Hn)/" \
        -e "s/@REDIS_PORT@/$redis_port/" "$root/tests/bench/peers/nchan-redis.conf" >"$dir/nchan.conf"
    nginx -c "$dir/nchan.conf" -p "$dir/" >"$dir/log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$sub") 2>/dev/null && break; sleep 0.1; done
    local worker=""
    for _ in $(seq 50); do worker=$(pgrep -P "$pid" | head -1); [ -n "$worker" ] && break; sleep 0.1; done
    printf -v "sub_$name" '%s' "$sub"
    printf -v "pub_$name" '%s' "$pub"
    printf -v "pid_$name" '%s' "$worker"
}
have_nchan=false
command -v nginx >/dev/null && [ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] && have_nchan=true
start_cluster() {
    start_redis
    local node
    for node in a b c; do start_node "$node" --redis "redis://127.0.0.1:$redis_port" --node-id "$node"; done
    # Every node has joined (a publish is taken).
    for _ in $(seq 100); do
        curl -sf -H 'Authorization: Bearer bench' -d '{"data":"warm"}' "http://127.0.0.1:$admin_a/api/push" \
            >/dev/null && break
        sleep 0.1
    done
    sleep 0.5
}

for scenario in "b1k --streams $n_small --events 30" "b10k --streams $n_large --events 15" \
                "sustained --streams 100 --burst $burst"; do
    read -r name args <<<"$scenario"
    : >"$out/standalone.$name"; : >"$out/cluster.$name"; : >"$out/nchan.$name"
    for _ in $(seq "$runs"); do
        start_node s
        # shellcheck disable=SC2086
        "$client" --port "$port_s" --admin-port "$admin_s" --token bench --server-pid "$pid_s" $args \
            >>"$out/standalone.$name"
        stop_all
        start_cluster
        # shellcheck disable=SC2086
        "$client" --port "$port_b,$port_c" --admin-port "$admin_a" --token bench --server-pid "$pid_b,$pid_c" \
            $args >>"$out/cluster.$name"
        stop_all
        if $have_nchan; then
            start_redis
            start_nchan a; start_nchan b; start_nchan c
            # shellcheck disable=SC2086
            "$client" --port "$sub_b,$sub_c" --admin-port "$pub_a" --no-auth --push-content-type text/plain \
                --push-body %s --ready-marker ': hi' --path /sub/all --push-path /pub/all \
                --server-pid "$pid_b,$pid_c" $args >>"$out/nchan.$name" || echo "nchan: $name failed" >&2
            stop_all
        fi
    done
done

stat() {
    grep -o "$1=[0-9.]*" "$2" | cut -d= -f2 | sort -n | awk '
        { v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.2f (%.2f..%.2f)", m, v[1], v[NR] }'
}
ratio() { awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { if (b == 0 || a == "-" || b == "-") print "-"; else printf "%.2f", a / b }'; }
row() {
    local label=$1 key=$2 file=$3 s c n
    s=$(stat "$key" "$out/standalone.$file"); c=$(stat "$key" "$out/cluster.$file"); n=$(stat "$key" "$out/nchan.$file")
    printf '%-52s %-30s %-30s %-8s %-30s %s\n' "$label" "$s" "$c" "$(ratio "$c" "$s")" "$n" "$(ratio "$c" "$n")"
}
echo "$(nproc) cores, $runs runs: median (min..max); standalone = one node; cluster = publish on A, streams on B and C;"
echo "nchan+redis = three nginx/Nchan sharing one Redis, publish on the first, streams on the others"
printf '%-52s %-30s %-30s %-8s %-30s %s\n' figure standalone cluster c/s nchan+redis c/nchan
row "broadcast $n_small streams: publish->last ms" last_ms_median b1k
row "broadcast $n_small streams: publish->last p99" last_ms_p99 b1k
row "broadcast $n_large streams: publish->last ms" last_ms_median b10k
row "broadcast $n_large streams: publish->last p99" last_ms_p99 b10k
row "publish round trip (push answered), ms" push_rtt_ms_median b1k
row "sustained, 100 streams x $burst pushes: deliveries/s" deliveries_per_s sustained
row "sustained: deliveries (expected $((100 * burst)))" deliveries sustained
