#!/usr/bin/env bash
# Builds and runs EventSource Hub on its embedded default: SQLite history in ./data, an admin
# token generated on first start (kept in ./data/admin-token). When a display is present the
# operator's console starts beside the server, already connected. Extra arguments go to the
# server (see --help). Set EVENTSOURCE_DATA_DIR to keep the data elsewhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

bash resources/scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target eventsource-server eventsource-console eventsource-cli

data_dir=${EVENTSOURCE_DATA_DIR:-$root/data}
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec build/server/eventsource-server --data-dir "$data_dir" "$@"
fi

# With a display: the server in the background, the console once the server is ready.
log=$(mktemp)
build/server/eventsource-server --data-dir "$data_dir" "$@" > >(tee "$log") 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 100); do grep -q ' ready ' "$log" && break; sleep 0.1; done
admin_port=$(sed -n 's/.* ready .*admin=\([0-9]*\).*/\1/p' "$log")
token=${EVENTSOURCE_ADMIN_TOKEN:-$(cat "$data_dir/admin-token" 2>/dev/null || true)}
args=("$@")
for i in "${!args[@]}"; do
    [ "${args[$i]}" = "--admin-token" ] && token=${args[$((i + 1))]:-$token}
done
if [ -n "$admin_port" ] && [ -n "$token" ]; then
    EVENTSOURCE_ADMIN_URL=${EVENTSOURCE_ADMIN_URL:-http://127.0.0.1:$admin_port} \
        EVENTSOURCE_ADMIN_TOKEN=$token build/console/eventsource-console &
fi
wait $server
