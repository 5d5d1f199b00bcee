#!/usr/bin/env bash
# Installs the peer SSE servers that tests/bench/run-bench.sh compares against, idempotently:
# Nchan (nginx-light + libnginx-mod-nchan) and Pushpin from Debian's packages, better-sse from
# npm into a cache folder outside the sources (default build-bench/peers, override with
# PEERS_DIR). Never needed by the tests or CI; run-bench.sh skips a peer that is not installed.
# Run as root (or with sudo available). Usage: tests/bench/install-peers.sh [nchan|pushpin|better-sse]...
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
peers_dir=${PEERS_DIR:-$root/build-bench/peers}
want=("$@")
[ ${#want[@]} -gt 0 ] || want=(nchan pushpin better-sse)

sudo_=""
[ "$(id -u)" -eq 0 ] || sudo_=sudo

apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && { echo "installed already: $*"; return; }
    $sudo_ apt-get update -qq
    # The packages' own services are not wanted: run-bench.sh starts its own instances.
    DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

for peer in "${want[@]}"; do
    case $peer in
    nchan)
        apt_install nginx-light libnginx-mod-nchan
        # The package starts nginx on port 80; the benchmark does not need it.
        if command -v systemctl >/dev/null && systemctl is-active -q nginx 2>/dev/null; then
            $sudo_ systemctl stop nginx || true
        elif [ -f /run/nginx.pid ]; then
            $sudo_ nginx -s quit 2>/dev/null || true
        fi
        ;;
    pushpin)
        apt_install pushpin
        if command -v systemctl >/dev/null && systemctl is-active -q pushpin 2>/dev/null; then
            $sudo_ systemctl stop pushpin || true
        fi
        ;;
    better-sse)
        command -v npm >/dev/null || { echo "npm not found: install nodejs and npm first" >&2; exit 1; }
        mkdir -p "$peers_dir"
        if [ -f "$peers_dir/node_modules/better-sse/package.json" ]; then
            echo "installed already: better-sse $(node -p "require('$peers_dir/node_modules/better-sse/package.json').version")"
        else
            [ -f "$peers_dir/package.json" ] || echo '{"private":true}' >"$peers_dir/package.json"
            (cd "$peers_dir" && npm install --no-audit --no-fund better-sse)
        fi
        ;;
    *) echo "unknown peer $peer (nchan, pushpin, better-sse)" >&2; exit 2 ;;
    esac
done
