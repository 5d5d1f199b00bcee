#!/usr/bin/env bash
# Builds and runs EventSource Hub on its embedded default: SQLite history in ./data, an admin
# token generated on first start (kept in ./data/admin-token). When a display is present the
# operator's console starts beside the server, already connected. Extra arguments go to the
# server (see --help). Set EVENTSOURCE_DATA_DIR to keep the data elsewhere.
#
# The build is Release in build-run/ (test.sh has its own, build/). The three binaries are
# linked in build-run/bin/: the line this prints puts them on PATH in another shell.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# ESH_PREBUILT=DIR runs the binaries of that build directory as they are, without building
# (the README's docs test runs this script on the suite's own build).
build=${ESH_PREBUILT:-$root/build-run}
if [ -z "${ESH_PREBUILT:-}" ]; then
    bash resources/scripts/install-deps.sh
    cmake -S . -B build-run -G Ninja -DCMAKE_BUILD_TYPE=Release -DESH_BUILD_TESTS=OFF >/dev/null
    cmake --build build-run --target eventsource-server eventsource-console eventsource-cli
fi
bin=$build/bin
mkdir -p "$bin"
ln -sf ../server/eventsource-server ../cli/eventsource-cli ../console/eventsource-console "$bin/"
echo "run.sh: in another shell, put the binaries on PATH with: export PATH=\"$bin:\$PATH\""

data_dir=${EVENTSOURCE_DATA_DIR:-$root/data}
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    exec "$bin/eventsource-server" --data-dir "$data_dir" "$@"
fi

# With a display: the server in the background, the console once the server is ready. A
# background job of a script ignores SIGINT, so Ctrl-C reaches both through this trap, and
# the console ends with the server.
log=$(mktemp)
"$bin/eventsource-server" --data-dir "$data_dir" "$@" > >(tee "$log") 2>&1 &
server=$!
console=""
trap 'kill -TERM "$server" $console 2>/dev/null || true' INT TERM
for _ in $(seq 100); do grep -q ' ready ' "$log" && break; sleep 0.1; done
admin_port=$(sed -n 's/.* ready .*admin=\([0-9]*\).*/\1/p' "$log")
rm -f "$log"
token=${EVENTSOURCE_ADMIN_TOKEN:-$(cat "$data_dir/admin-token" 2>/dev/null || true)}
args=("$@")
for i in "${!args[@]}"; do
    [ "${args[$i]}" = "--admin-token" ] && token=${args[$((i + 1))]:-$token}
done
if [ -n "$admin_port" ] && [ -n "$token" ]; then
    EVENTSOURCE_ADMIN_URL=${EVENTSOURCE_ADMIN_URL:-http://127.0.0.1:$admin_port} \
        EVENTSOURCE_ADMIN_TOKEN=$token "$bin/eventsource-console" &
    console=$!
fi
status=0
# wait returns early when the trap runs; the server is then still stopping.
while kill -0 "$server" 2>/dev/null; do
    wait "$server" || status=$?
done
if [ -n "$console" ]; then
    kill -TERM "$console" 2>/dev/null || true
    wait "$console" 2>/dev/null || true
fi
exit "$status"
