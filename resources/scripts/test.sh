#!/usr/bin/env bash
# Builds everything with warnings as errors and runs the whole test suite (unit and
# integration tests; the integration tests start the real server on loopback ports).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

bash resources/scripts/install-deps.sh
export QT_QPA_PLATFORM=offscreen
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESH_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)"
