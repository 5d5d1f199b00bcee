#!/usr/bin/env bash
# Installs the Debian 12 packages the build needs, plus any named as arguments. Only what is
# missing is installed, so running it again costs nothing.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config
          qt6-base-dev qt6-base-private-dev qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev libqt6opengl6-dev libqt6sql6-sqlite
          libhiredis-dev redis-server libssl-dev openssl libnghttp2-dev "$@")
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
