#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer and UndefinedBehaviorSanitizer, in
# build-fuzz/) and runs them one after another, each for a number of executions or seconds.
#   fuzz.sh [--runs N] [--seconds N] [--max-len BYTES] [name...]
# Default: --runs 10000000, every target, inputs up to libFuzzer's 4096 bytes. With --runs
# and --seconds, each target stops at whichever limit it reaches first; a smaller --max-len
# makes runs faster where long inputs add little (the parsers work line by line).
# A name is a target's without "fuzz_" (build-fuzz/tests/fuzz/fuzz-targets.txt lists them).
# The committed seeds in tests/fuzz/corpus/<name>/ are only read: what a run finds is merged
# with them into build-fuzz/corpus/<name>/ (kept for the next run, minimized: only inputs
# that add coverage), and crashing inputs go to build-fuzz/crashes/<name>/. A target's own
# libFuzzer flags, if any, are in tests/fuzz/flags/<name> (one a line).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

limit=()
names=()
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) limit+=("-runs=$2"); shift 2 ;;
        --seconds) limit+=("-max_total_time=$2"); shift 2 ;;
        --max-len) limit+=("-max_len=$2"); shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) names+=("$1"); shift ;;
    esac
done

printf '%s\n' "${limit[@]}" | grep -q -e '^-runs=' -e '^-max_total_time=' || limit+=(-runs=10000000)

# libFuzzer's runtime is in libclang-rt-14-dev, which clang (14 on Debian 12) only suggests;
# llvm has the llvm-symbolizer that puts file:line in the reports.
bash resources/scripts/install-deps.sh clang libclang-rt-14-dev llvm
# Without -Werror: warnings are CI's job, with gcc; clang's own set must not stop a fuzz run.
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DESH_FUZZ=ON >/dev/null
[ ${#names[@]} -gt 0 ] || mapfile -t names < build-fuzz/tests/fuzz/fuzz-targets.txt
cmake --build build-fuzz --target "${names[@]/#/fuzz_}"

export ASAN_OPTIONS="detect_leaks=1:print_stacktrace=1"
export UBSAN_OPTIONS="print_stacktrace=1"
status=0
summary=()
for name in "${names[@]}"; do
    seeds="tests/fuzz/corpus/$name"
    corpus="build-fuzz/corpus/$name"
    crashes="build-fuzz/crashes/$name"
    log="build-fuzz/fuzz-$name.log"
    binary="build-fuzz/tests/fuzz/fuzz_$name"
    mkdir -p "$corpus" "$crashes"
    dictionary=()
    [ -f "tests/fuzz/dictionaries/$name.dict" ] && dictionary=("-dict=tests/fuzz/dictionaries/$name.dict")
    # A target's own libFuzzer flags, one a line, # for comments.
    flags=()
    [ -f "tests/fuzz/flags/$name" ] && mapfile -t flags < <(grep -v -e '^#' -e '^$' "tests/fuzz/flags/$name")
    echo "fuzz_$name: ${limit[*]} (log: $log)"
    result=ok
    started=$SECONDS
    # New inputs are written to the first directory only: the seeds stay as committed.
    if ! "$binary" "${limit[@]}" "${dictionary[@]}" "${flags[@]}" -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$log" 2>&1; then
        status=1
        result="CRASH $(grep -o 'Test unit written to .*' "$log" | tail -n 1 | cut -d' ' -f5-)"
        grep -m 1 -A 8 -E '==ERROR|runtime error:|fuzz invariant broken' "$log" || tail -n 20 "$log"
    fi
    # Keep only what adds coverage to the seeds, so the copy does not grow run after run.
    merged="$corpus.merged"
    rm -rf "$merged"
    cp -r "$seeds" "$merged"
    if "$binary" -merge=1 "$merged" "$corpus" >"$log.merge" 2>&1; then
        rm -rf "$corpus"
        mv "$merged" "$corpus"
    else
        echo "fuzz_$name: merge failed (see $log.merge); $corpus kept as it was"
        rm -rf "$merged"
    fi
    elapsed=$((SECONDS - started))
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    found=$(( $(find "$corpus" -type f | wc -l) - $(find "$seeds" -type f | wc -l) ))
    summary+=("$(printf '%-22s %10s runs in %5s s %8s exec/s %6s new inputs  %s' \
                 "fuzz_$name" "$runs" "$elapsed" "$rate" "$found" "$result")")
done
printf '%s\n' "${summary[@]}"
exit "$status"
