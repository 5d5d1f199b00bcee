#!/usr/bin/env bash
# Builds the Debian package dist/eventsource-hub_<version>_<arch>.deb (Release, in
# build-package/): the binaries in /usr/bin with their man pages, the eventsource-hub
# systemd service running as its own system user, the config in /etc/eventsource-hub/.
# Install it with: apt-get install ./dist/eventsource-hub_<version>_<arch>.deb
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# dpkg-dev finds the package's library dependencies (dpkg-shlibdeps); help2man makes the man pages.
bash resources/scripts/install-deps.sh dpkg-dev help2man
cmake -S . -B build-package -G Ninja -DCMAKE_BUILD_TYPE=Release -DESH_BUILD_TESTS=OFF \
    -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build build-package
(cd build-package && cpack -G DEB >/dev/null)
mkdir -p dist
shopt -s nullglob
packages=(build-package/eventsource-hub_*.deb)
[ ${#packages[@]} -eq 1 ] || { echo "package.sh: expected one .deb in build-package/" >&2; exit 1; }
cp "${packages[0]}" dist/
echo "dist/$(basename "${packages[0]}")"
