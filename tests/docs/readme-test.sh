#!/usr/bin/env bash
# The README's docs test: runs every ```sh block of README.md, in order, in one bash shell,
# against the real server, as a user following the README in a fresh checkout would.
#
# Usage: readme-test.sh SOURCE_DIR BUILD_DIR
#
# Rules (README, "Docs test"):
# - Work dir: a temp dir that looks like the checkout: data/ is the data dir, resources links
#   to SOURCE_DIR/resources, build-run to BUILD_DIR (so "$PWD/build-run/bin" holds the
#   binaries once run.sh has linked them). The caller's EVENTSOURCE_* variables are unset.
# - A block whose nearest non-blank line before its fence is
#   <!-- docs-test: skip: REASON --> is not run; it is printed with its reason.
# - A command is the shortest run of a block's lines that bash parses as complete (a line,
#   plus the lines a trailing backslash, an open quote or a here-document continue). Blank
#   and comment lines between commands are not run. Each command runs with eval in the same
#   shell (variables, exports and background jobs carry over), stdin from /dev/null, under
#   set -e semantics: a non-zero status (pipefail) fails the test, with the README line, the
#   command and its output.
# - Ports: 8080 and 8081 (the run.sh server's public and admin ports) and 8090 and 8091 (a
#   second server's) are replaced in each command by free loopback ports, so the test never
#   meets a server a developer runs. EVENTSOURCE_ADMIN_URL starts as the admin port's URL:
#   the CLI's built-in default, http://127.0.0.1:8081, mapped.
# - "bash resources/scripts/run.sh ARGS" runs run.sh for real (ESH_PREBUILT=BUILD_DIR,
#   EVENTSOURCE_DATA_DIR=work/data, EVENTSOURCE_LISTEN and EVENTSOURCE_ADMIN_LISTEN on the
#   mapped ports, no display), in the background as in the README's first shell (not a job
#   of this shell: a README "wait" does not wait for it); the test goes on once it printed
#   its "ready" line. A second such command stops the server first (the README's Ctrl-C).
# - curl is a function adding --fail-with-body -sS --max-time 10 (60 for a stream, -N, so a
#   stream left in the foreground fails the test instead of hanging it): an HTTP error fails
#   the test, and the README's commands stay as users type them.
# - A stream started in the background (a command ending in & that runs curl -N,
#   eventsource-cli listen or eventsource-cli record) is given the time a user takes to type
#   the next line: the test goes on once the server lists one more stream.
# - Expectations: a line "# => {...}" or "# => [...]" right after a command (comment lines
#   may come between) must be valid JSON, and the command's stdout must be JSON of the same
#   kind with exactly the same top-level keys (for arrays: the first elements' keys); values
#   may differ. Any other "# =>" text (a file name, CLI output) and trailing comments are for
#   the reader and are not checked.
set -uo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 SOURCE_DIR BUILD_DIR" >&2
    exit 2
fi
# A fresh shell: nothing of the caller's EVENTSOURCE_* (a token, a config) leaks in.
for __dt_var in $(compgen -e | grep -E '^(EVENTSOURCE_|ESH_PREBUILT$)'); do unset "$__dt_var"; done
__dt_src=$(cd "$1" && pwd) || exit 2
__dt_build=$(cd "$2" && pwd) || exit 2
__dt_readme=$__dt_src/README.md
__dt_work=$(mktemp -d "${TMPDIR:-/tmp}/readme-test.XXXXXX") || exit 2
mkdir "$__dt_work/.docs-test"   # data/ is made by the server, as in a fresh checkout
ln -s "$__dt_src/resources" "$__dt_work/resources"
ln -s "$__dt_build" "$__dt_work/build-run"
__dt_state=$__dt_work/.docs-test

# Parse the README into commands.
__dt_cmds=()     # command text
__dt_lines=()    # README line of its first line
__dt_expects=()  # expected JSON ("" for none), one per command
__dt_expect_lines=()
__dt_skipped=0

__dt_fail_parse() {
    echo "README.md:$1: $2" >&2
    exit 1
}

__dt_parse() {
    local n=0 line in_block=0 indent="" prev="" acc="" acc_line=0 skip="" skip_reason=""
    local block_line=0 block_text=""
    local open_re='^([[:space:]]*)```sh[[:space:]]*$' close_re='^[[:space:]]*```[[:space:]]*$'
    local skip_re='^[[:space:]]*<!-- docs-test: skip: (.*[^[:space:]])[[:space:]]*-->[[:space:]]*$'
    local expect_re='^[[:space:]]*#[[:space:]]*=>[[:space:]]*([[{].*)$'
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        if [ $in_block -eq 0 ]; then
            if [[ $line =~ $open_re ]]; then
                in_block=1
                indent=${BASH_REMATCH[1]}
                block_line=$n
                block_text=""
                skip=""
                if [[ $prev =~ $skip_re ]]; then
                    skip=1
                    skip_reason=${BASH_REMATCH[1]}
                elif [[ $prev == *docs-test* ]]; then
                    __dt_fail_parse $((n - 1)) "unreadable docs-test marker (want <!-- docs-test: skip: REASON -->): $prev"
                fi
            fi
            [[ $line =~ ^[[:space:]]*$ ]] || prev=$line
            continue
        fi
        if [[ $line =~ $close_re ]]; then
            in_block=0
            prev=$line
            if [ -n "$acc" ]; then
                __dt_fail_parse $acc_line "the command does not end within its block: $acc"
            fi
            if [ -n "$skip" ]; then
                __dt_skipped=$((__dt_skipped + 1))
                printf 'docs-test: skipped README.md:%d (%s):\n%s' "$block_line" "$skip_reason" "$block_text"
            fi
            continue
        fi
        line=${line#"$indent"}
        if [ -n "$skip" ]; then
            block_text+="    $line"$'\n'
            continue
        fi
        if [ -z "$acc" ]; then
            if [[ $line =~ $expect_re ]]; then
                local count=${#__dt_cmds[@]}
                if [ "$count" -eq 0 ] || [ -n "${__dt_expects[$((count - 1))]}" ]; then
                    __dt_fail_parse $n "an expectation without a command before it: $line"
                fi
                __dt_expects[$((count - 1))]=${BASH_REMATCH[1]}
                __dt_expect_lines[$((count - 1))]=$n
                continue
            fi
            [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
            acc=$line
            acc_line=$n
        else
            acc+=$'\n'$line
        fi
        [[ $line == *\\ ]] && continue
        if command bash -n <<<"$acc" 2>/dev/null; then
            __dt_cmds+=("$acc")
            __dt_lines+=("$acc_line")
            __dt_expects+=("")
            __dt_expect_lines+=(0)
            acc=""
        fi
    done <"$__dt_readme"
    [ $in_block -eq 0 ] || __dt_fail_parse $block_line "the block is not closed"
}
__dt_parse
echo "docs-test: ${#__dt_cmds[@]} commands to run, $__dt_skipped blocks skipped"

# Ports, server, cleanup.
read -r __dt_p1 __dt_a1 __dt_p2 __dt_a2 < <(node -e '
const net = require("net");
const servers = [0, 1, 2, 3].map(() => net.createServer());
let ready = 0;
for (const s of servers)
  s.listen(0, "127.0.0.1", () => {
    if (++ready < servers.length) return;
    console.log(servers.map((x) => x.address().port).join(" "));
    servers.forEach((x) => x.close());
  });') || { echo "docs-test: no free ports" >&2; exit 1; }
__dt_server_pid=""
__dt_server_log=""
__dt_servers=0
export EVENTSOURCE_ADMIN_URL=http://127.0.0.1:$__dt_a1

__dt_alive() {
    local state
    state=$(sed -n 's/^[0-9]* ([^)]*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

__dt_stop_server() {
    [ -n "$__dt_server_pid" ] || return 0
    kill -TERM "$__dt_server_pid" 2>/dev/null
    for _ in $(seq 100); do
        __dt_alive "$__dt_server_pid" || break
        sleep 0.1
    done
    if __dt_alive "$__dt_server_pid"; then
        echo "docs-test: the server did not stop on SIGTERM" >&2
        kill -KILL "$__dt_server_pid" 2>/dev/null
    fi
    __dt_server_pid=""
}

__dt_cleanup() {
    local status=$?
    __dt_stop_server
    local job
    for job in $(jobs -p); do kill -TERM "$job" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$__dt_work"
    exit $status
}
trap __dt_cleanup EXIT
trap 'exit 143' TERM INT   # a CTest timeout: stop the server and the streams on the way out

__dt_start_server() {
    __dt_stop_server
    __dt_servers=$((__dt_servers + 1))
    __dt_server_log=$__dt_state/server-$__dt_servers.log
    # A double fork: the server is the first shell's, not a job of this one.
    (
        unset DISPLAY WAYLAND_DISPLAY
        ESH_PREBUILT=$__dt_build EVENTSOURCE_DATA_DIR=$__dt_work/data \
            EVENTSOURCE_LISTEN=127.0.0.1:$__dt_p1 EVENTSOURCE_ADMIN_LISTEN=127.0.0.1:$__dt_a1 \
            command bash resources/scripts/run.sh "$@" </dev/null >"$__dt_server_log" 2>&1 &
        echo $! >"$__dt_state/server.pid"
    )
    __dt_server_pid=$(cat "$__dt_state/server.pid")
    for _ in $(seq 300); do
        grep -q '^eventsource-server ready ' "$__dt_server_log" && break
        if ! __dt_alive "$__dt_server_pid"; then
            echo "run.sh exited before the server was ready:"
            cat "$__dt_server_log"
            __dt_server_pid=""
            return 1
        fi
        sleep 0.1
    done
    cat "$__dt_server_log"
    grep -q '^eventsource-server ready ' "$__dt_server_log" || { echo "the server never said ready"; return 1; }
}

__dt_stream_count() {
    command curl -sS --max-time 5 -H "Authorization: Bearer $(cat "$__dt_work/data/admin-token")" \
        "http://127.0.0.1:$__dt_a1/api/connections" | sed -n 's/.*"count":\([0-9]*\)[,}]*$/\1/p'
}

# What the README's commands see.
bash() {
    if [ "${1:-}" = resources/scripts/run.sh ]; then
        shift
        __dt_start_server "$@"
    else
        command bash "$@"
    fi
}

curl() {
    local arg timeout=10
    for arg in "$@"; do
        [ "$arg" = -N ] || [ "$arg" = --no-buffer ] && timeout=60
    done
    command curl --fail-with-body -sS --max-time "$timeout" "$@"
}

__dt_check_json() {
    # $1 expected JSON text, $2 file with the command's stdout
    EXPECTED=$1 node -e '
const fs = require("fs");
const kind = (v) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
const keys = (v) => (kind(v) === "object" ? Object.keys(v).sort() : null);
let expected, actual;
try { expected = JSON.parse(process.env.EXPECTED); } catch (e) {
  console.log(`the expectation is not valid JSON (${e.message}): fix the README`); process.exit(1);
}
try { actual = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch (e) {
  console.log(`the output is not JSON (${e.message})`); process.exit(1);
}
if (kind(expected) !== kind(actual)) {
  console.log(`expected a JSON ${kind(expected)}, got a JSON ${kind(actual)}`); process.exit(1);
}
let e = expected, a = actual;
if (kind(e) === "array") { e = e[0]; a = a[0]; }
const ek = JSON.stringify(keys(e)), ak = JSON.stringify(keys(a));
if (ek !== ak) { console.log(`expected the keys ${ek}, got ${ak}`); process.exit(1); }' "$2"
}

__dt_show() {
    # $1 file, $2 most lines to show (0: all)
    [ -s "$1" ] || return 0
    if [ "$2" -gt 0 ] && [ "$(wc -l <"$1")" -gt "$2" ]; then
        head -n "$2" "$1" | sed 's/^/    /'
        echo "    ... ($(wc -l <"$1") lines)"
    else
        sed 's/^/    /' "$1"
        [ -z "$(tail -c 1 "$1")" ] || echo
    fi
}

__dt_failed() {
    # $1 README line, $2 what went wrong, $3 stdout file, $4 stderr file
    echo
    echo "docs-test: FAILED at README.md:$1: $2"
    echo "  command:"
    sed 's/^/    /' <<<"${__dt_cmds[$__dt_i]}"
    echo "  stdout:"
    __dt_show "$3" 0
    echo "  stderr:"
    __dt_show "$4" 0
    if [ -n "$__dt_server_log" ]; then
        echo "  the server's log ($__dt_server_log), last lines:"
        tail -n 20 "$__dt_server_log" | sed 's/^/    /'
        echo "  its streams (GET /api/connections):"
        command curl -sS --max-time 5 -H "Authorization: Bearer $(cat "$__dt_work/data/admin-token" 2>/dev/null)" \
            "http://127.0.0.1:$__dt_a1/api/connections" 2>&1 | sed 's/^/    /'
        echo
    fi
    exit 1
}

cd "$__dt_work" || exit 1
__dt_stream='(^|[[:space:];|&(])(curl[[:space:]](.*[[:space:]])?-N([[:space:]]|$)|eventsource-cli[[:space:]]+(listen|record)[[:space:]])'
__dt_background='&[[:space:]]*(#.*)?$'
for __dt_i in "${!__dt_cmds[@]}"; do
    __dt_cmd=${__dt_cmds[$__dt_i]}
    __dt_cmd=${__dt_cmd//8080/$__dt_p1}
    __dt_cmd=${__dt_cmd//8081/$__dt_a1}
    __dt_cmd=${__dt_cmd//8090/$__dt_p2}
    __dt_cmd=${__dt_cmd//8091/$__dt_a2}
    __dt_line=${__dt_lines[$__dt_i]}
    __dt_out=$__dt_state/$__dt_i.out
    __dt_err=$__dt_state/$__dt_i.err
    echo "README.md:$__dt_line \$ ${__dt_cmds[$__dt_i]}"
    __dt_background_stream=""
    if [[ $__dt_cmd =~ $__dt_background ]] && [[ $__dt_cmd =~ $__dt_stream ]]; then
        __dt_background_stream=1
        __dt_before=$(__dt_stream_count)
        [ -n "$__dt_before" ] || __dt_failed "$__dt_line" "cannot count the server's streams before a background stream" /dev/null /dev/null
    fi
    eval "$__dt_cmd" </dev/null >"$__dt_out" 2>"$__dt_err"
    __dt_status=$?
    [ $__dt_status -eq 0 ] || __dt_failed "$__dt_line" "exit status $__dt_status" "$__dt_out" "$__dt_err"
    if [ -n "$__dt_background_stream" ]; then
        for __dt_try in $(seq 100); do
            __dt_now=$(__dt_stream_count)
            [ -n "$__dt_now" ] && [ "$__dt_now" -gt "$__dt_before" ] && break
            sleep 0.1
        done
        [ -n "$__dt_now" ] && [ "$__dt_now" -gt "$__dt_before" ] ||
            __dt_failed "$__dt_line" "the stream started in the background never connected" "$__dt_out" "$__dt_err"
    fi
    __dt_show "$__dt_out" 8
    __dt_show "$__dt_err" 8
    if [ -n "${__dt_expects[$__dt_i]}" ]; then
        __dt_why=$(__dt_check_json "${__dt_expects[$__dt_i]}" "$__dt_out") ||
            __dt_failed "${__dt_expect_lines[$__dt_i]}" "expectation # => ${__dt_expects[$__dt_i]}: $__dt_why" "$__dt_out" "$__dt_err"
    fi
done
echo "docs-test: passed: ${#__dt_cmds[@]} commands from README.md, $__dt_skipped blocks skipped"
