#!/usr/bin/env bash
# Builds everything with warnings as errors and runs the whole test suite (unit and
# integration tests; the integration tests start the real server on loopback ports).
#
# --sanitize: the same suite built with AddressSanitizer and UndefinedBehaviorSanitizer
# (Debug, in build-sanitize/). Every report, also from the servers the integration tests
# start (their stderr is not shown), goes to build-sanitize/sanitizer-reports/ and is
# listed at the end; any report fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

if [ "${1:-}" = "--sanitize" ]; then
    # g++ brings the sanitizer runtimes (libasan8, libubsan1) and symbolizes reports itself.
    bash resources/scripts/install-deps.sh
    reports="$root/build-sanitize/sanitizer-reports"
    cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=Debug -DESH_SANITIZE=ON -DESH_WERROR=ON >/dev/null
    cmake --build build-sanitize
    rm -rf "$reports"
    mkdir -p "$reports"
    # log_exe_name names each report after its binary: asan.<binary>.<pid>.
    common="log_path=$reports/report:log_exe_name=1:print_stacktrace=1"
    export ASAN_OPTIONS="$common:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
    export LSAN_OPTIONS="suppressions=$root/tests/sanitize/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="$common"
    export QT_QPA_PLATFORM=offscreen
    status=0
    ctest --test-dir build-sanitize --output-on-failure --timeout 600 -j "$(nproc)" 2>&1 \
        | tee "$reports/ctest.log" || status=$? # pipefail: ctest's status
    shopt -s nullglob
    found=("$reports"/report.*)
    for report in "${found[@]}"; do
        echo "=== ${report#"$root"/}"
        grep -m 1 -A 12 -E '^(==[0-9]+==ERROR|.*runtime error:)' "$report" || head -n 15 "$report"
    done
    # Reports a test printed itself (UBSan in a test binary writes to its stderr).
    printed=$(grep -c -E '^==[0-9]+==ERROR|runtime error:' "$reports/ctest.log" || true)
    echo "sanitizer reports: ${#found[@]} in files, $printed in the test output"
    [ ${#found[@]} -eq 0 ] && [ "$printed" -eq 0 ] || status=1
    exit "$status"
fi

# dpkg-dev and help2man for the package test; npm for the JavaScript tests' packages, pinned
# by their package-lock.json (a Node.js from elsewhere, such as NodeSource's, brings its own).
bash resources/scripts/install-deps.sh nodejs chromium dpkg-dev help2man
command -v npm >/dev/null || bash resources/scripts/install-deps.sh npm
for folder in resources/js tests/e2e; do
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
done
export QT_QPA_PLATFORM=offscreen
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESH_WERROR=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure --timeout 300 -j "$(nproc)"
