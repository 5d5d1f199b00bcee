#!/usr/bin/env bash
# Takes a screenshot of every console tab into docs/images/: the console under Xvfb, connected
# to a demo server with a few dozen live streams (users in groups, anonymous, filtered) and
# events published at a varying rate: console.png (Connections, by group), dashboard.png,
# composer.png, events.png, test-client.png, nodes.png; then fault-menu.png (a stream's
# Test fault menu), scenario.png (the Scenario tab after running
# resources/scenarios/reconnect-storm.ndjson) and disconnected.png (the server stopped:
# the banner with "Retry now", the streams greyed).
# ESH_BUILD_DIR (default build-screenshot) and ESH_BUILD_TYPE (default Release) choose the build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
bash resources/scripts/install-deps.sh xvfb imagemagick xdotool curl
build=${ESH_BUILD_DIR:-build-screenshot}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${ESH_BUILD_TYPE:-Release}" >/dev/null
cmake --build "$build" --target eventsource-server eventsource-console eventsource-cli >/dev/null

work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
server=$build/server/eventsource-server
cli=$build/cli/eventsource-cli
secret=screenshot-secret-0123456789abcdef0123

Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 & pids+=($!)
"$server" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --admin-token demo --jwt-secret "$secret" --test-faults \
    >"$work/server.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do grep -q ' ready ' "$work/server.log" && break; sleep 0.1; done
port=$(sed -n 's/.* ready public=\([0-9]*\).*/\1/p' "$work/server.log")
admin=$(sed -n 's/.* ready .*admin=\([0-9]*\).*/\1/p' "$work/server.log")
export EVENTSOURCE_ADMIN_URL=http://127.0.0.1:$admin EVENTSOURCE_ADMIN_TOKEN=demo

open_stream() { # user group path agent
    local header=()
    if [ -n "$1" ]; then
        header=(-H "Authorization: Bearer $("$cli" token --secret "$secret" --user "$1" --name "$1" --group "$2")")
    fi
    curl -sN -A "$4" "${header[@]}" "http://127.0.0.1:$port$3" >/dev/null & pids+=($!)
}
for user in alice carol erin; do for path in /eventsource /eventsource/orders,alerts; do
    open_stream "$user" Marketing "$path" "Mozilla/5.0 (X11; Linux x86_64) Chrome/156"; done; done
for user in bob dave; do for _ in 1 2 3; do
    open_stream "$user" Engineering /eventsource "Mozilla/5.0 (Macintosh) Safari/19"; done; done
for user in frank; do open_stream "$user" Support /eventsource/alerts "shop-app/2.4 (Android 16)"; done
for _ in $(seq 6); do open_stream "" "" /eventsource "kiosk/1.0"; done

# A fresh settings file: the window size, and connections grouped by group.
export XDG_CONFIG_HOME=$work/config
mkdir -p "$XDG_CONFIG_HOME/EventSource Hub"
printf '[connections]\ngrouping=2\n' >"$XDG_CONFIG_HOME/EventSource Hub/eventsource-console.conf"
DISPLAY=:97 "$build/console/eventsource-console" & pids+=($!); console=$!
# About 40 s of traffic in bursts, so that the dashboard's charts have a shape; a few more
# streams come and go meanwhile.
for k in $(seq 1 80); do
    for _ in $(seq $(((k / 10) % 4 + 1))); do
        "$cli" push "{\"orderId\": $k, \"items\": $((k % 4 + 1))}" --json --event orders >/dev/null
    done
    [ $((k % 5)) -eq 0 ] && "$cli" push "stock low on item $k" --event alerts --group Engineering >/dev/null
    [ $((k % 20)) -eq 0 ] && open_stream grace Support /eventsource "Mozilla/5.0 (Windows NT 11.0) Firefox/150"
    sleep 0.4
done
window=$(DISPLAY=:97 xdotool search --sync --name "EventSource Hub console" | head -1)
DISPLAY=:97 xdotool windowsize "$window" 1200 720
sleep 1
DISPLAY=:97 import -window "$window" docs/images/console.png
echo "wrote docs/images/console.png"

# The other tabs, clicked in the tab bar (by place: the Composer's own mnemonics take
# Alt+E and Alt+T while it is shown).
shoot_tab() { # x file
    DISPLAY=:97 xdotool mousemove --window "$window" "$1" 61 click 1
    sleep 1.5
    DISPLAY=:97 import -window "$window" "docs/images/$2"
    echo "wrote docs/images/$2"
}
# Traffic goes on meanwhile: the dashboard's figures are live ones.
(while true; do "$cli" push "{\"orderId\": 0, \"items\": 1}" --json --event orders >/dev/null; sleep 0.15; done) &
traffic=$!
pids+=("$traffic")
sleep 3
shoot_tab 143 dashboard.png
shoot_tab 231 composer.png
shoot_tab 306 events.png
# The test client with a stream of its own open (its Open button, by place).
DISPLAY=:97 xdotool mousemove --window "$window" 381 61 click 1 sleep 0.5 mousemove --window "$window" 976 149 click 1
sleep 2
shoot_tab 381 test-client.png
shoot_tab 531 nodes.png
kill "$traffic"

# A stream's context menu, Test fault open: flat list, right-click the first row, then the
# submenu by its mnemonic.
printf '[connections]\ngrouping=0\n' >"$XDG_CONFIG_HOME/EventSource Hub/eventsource-console.conf"
kill "$console"
wait "$console" 2>/dev/null || true # its window gone before the search below
DISPLAY=:97 "$build/console/eventsource-console" & pids+=($!); console=$!
window=$(DISPLAY=:97 xdotool search --sync --name "EventSource Hub console" | head -1)
DISPLAY=:97 xdotool windowsize "$window" 1200 720 windowmove "$window" 0 0
sleep 2
DISPLAY=:97 xdotool mousemove 300 130 click 1 sleep 0.3 click 3 sleep 0.5 key f
sleep 0.5
DISPLAY=:97 import -window root -crop 1200x720+0+0 docs/images/fault-menu.png
echo "wrote docs/images/fault-menu.png"

# The Scenario tab: load the reconnect storm with the file dialog, run it, wait for the end.
DISPLAY=:97 xdotool key Escape sleep 0.2 key Escape sleep 0.2 key alt+r sleep 0.5 key alt+l sleep 1
DISPLAY=:97 xdotool type --delay 20 "$root/resources/scenarios/reconnect-storm.ndjson"
DISPLAY=:97 xdotool key Return sleep 1.5
# Run, by its place (the dialog gives the keyboard focus back to no window under Xvfb).
DISPLAY=:97 xdotool mousemove 1062 93 click 1
sleep 6
DISPLAY=:97 import -window "$window" docs/images/scenario.png
echo "wrote docs/images/scenario.png"

# The server goes away: the banner says so and offers "Retry now"; the streams stay, greyed.
# (The storm paused the streams above: a few new ones first. A killed server sends no
# "closed" for them.)
for user in alice bob; do open_stream "$user" Marketing /eventsource "Mozilla/5.0 (X11; Linux x86_64) Chrome/156"; done
for _ in 1 2; do open_stream "" "" /eventsource "kiosk/1.0"; done
DISPLAY=:97 xdotool key Escape sleep 0.2 mousemove --window "$window" 600 700 click 1 sleep 0.2 key alt+c
sleep 1.5
kill -KILL "${pids[1]}"
sleep 2
DISPLAY=:97 import -window "$window" docs/images/disconnected.png
echo "wrote docs/images/disconnected.png"
