#!/usr/bin/env bash
# A local cluster for trying several nodes: a loopback redis-server (Debian's package, installed
# if missing) and NODES eventsource-server nodes (default 3) on consecutive ports from PORT
# (default 8080: node i streams on PORT + 2i, its admin API on PORT + 2i + 1), all with the same
# admin token. Prints every address, then runs until Ctrl-C, which stops them all. Extra
# arguments go to every node (see eventsource-server --help). Environment: NODES, PORT,
# REDIS_PORT (6390), EVENTSOURCE_ADMIN_TOKEN (default: generated).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
nodes=${NODES:-3}
port=${PORT:-8080}
redis_port=${REDIS_PORT:-6390}

bash resources/scripts/install-deps.sh
# A build dir of its own (Release), so that it never rebuilds the test build.
cmake -S . -B build-cluster -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-cluster --target eventsource-server

work=$(mktemp -d)
pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
trap 'exit 0' INT TERM

token=${EVENTSOURCE_ADMIN_TOKEN:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work" --save '' --appendonly yes \
    --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

echo "redis: redis://127.0.0.1:$redis_port (append-only file in $work)"
for i in $(seq 0 $((nodes - 1))); do
    public=$((port + 2 * i))
    admin=$((public + 1))
    build-cluster/server/eventsource-server --listen "127.0.0.1:$public" --admin-listen "127.0.0.1:$admin" \
        --admin-token "$token" --redis "redis://127.0.0.1:$redis_port" --node-id "node$i" "$@" \
        >"$work/node$i.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q ' ready ' "$work/node$i.log" && break; sleep 0.1; done
    grep -q ' ready ' "$work/node$i.log" || { cat "$work/node$i.log" >&2; exit 1; }
    echo "node$i: streams http://127.0.0.1:$public/eventsource  admin http://127.0.0.1:$admin"
done
echo "admin token: $token"
echo "try: curl -N http://127.0.0.1:$((port + 2))/eventsource  and"
echo "     curl -H 'Authorization: Bearer $token' -d '{\"data\":\"hi\"}' http://127.0.0.1:$((port + 1))/api/push"
echo "Ctrl-C stops the cluster. Logs: $work/node*.log"
wait
