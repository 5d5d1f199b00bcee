#!/usr/bin/env bash
# Builds and runs EventSource Hub on its embedded default: SQLite history in ./data, an admin
# token generated on first start (kept in ./data/admin-token). Extra arguments go to the
# server (see --help). Set EVENTSOURCE_DATA_DIR to keep the data elsewhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

bash resources/scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target eventsource-server

data_dir=${EVENTSOURCE_DATA_DIR:-$root/data}
exec build/server/eventsource-server --data-dir "$data_dir" "$@"
