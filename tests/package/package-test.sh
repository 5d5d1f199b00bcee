#!/usr/bin/env bash
# The Debian package built from this build (as resources/scripts/package.sh does from its
# own): its files and their modes, control fields, maintainer scripts, man pages, the unit
# under `systemd-analyze verify`, and the packaged server started with the packaged config.
# Usage: package-test.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
server=""
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in dpkg-deb help2man; do
    command -v "$tool" >/dev/null || fail "$tool is missing: test.sh installs it (dpkg-dev, help2man)"
done

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
shopt -s nullglob
debs=("$work"/out/eventsource-hub_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one eventsource-hub_<version>_<arch>.deb, got: ${debs[*]:-none}"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg-deb -f "$deb" Architecture)
[ "$(basename "$deb")" = "eventsource-hub_${version}_${arch}.deb" ] || fail "file name $(basename "$deb")"
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"

depends=$(dpkg-deb -f "$deb" Depends)
for needed in libqt6core6 libqt6httpserver6 libqt6widgets6 libhiredis passwd; do
    grep -q "$needed" <<<"$depends" || fail "Depends lacks $needed: $depends"
done

dpkg-deb -c "$deb" >"$work/contents"
for path in ./usr/bin/eventsource-server ./usr/bin/eventsource-cli ./usr/bin/eventsource-console \
        ./usr/share/man/man1/eventsource-server.1.gz ./usr/share/man/man1/eventsource-cli.1.gz \
        ./usr/share/man/man1/eventsource-console.1.gz ./lib/systemd/system/eventsource-hub.service \
        ./etc/eventsource-hub/eventsource.json; do
    grep -q " $path\$" "$work/contents" || fail "$path is not in the package"
done
grep -q '^-rwxr-xr-x root/root .* ./usr/bin/eventsource-server$' "$work/contents" || fail "server mode/owner"
grep -q '^-rw-r--r-- root/root .* ./etc/eventsource-hub/eventsource.json$' "$work/contents" || fail "config mode"

dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/eventsource-hub/eventsource.json "$work/control/conffiles" || fail "config is not a conffile"
for script in postinst prerm postrm; do
    [ -x "$work/control/$script" ] || fail "$script missing or not executable"
    sh -n "$work/control/$script" || fail "$script does not parse"
done
grep -q 'useradd --system' "$work/control/postinst" || fail "postinst makes no system user"
grep -q 'install -d -m 0700' "$work/control/postinst" || fail "postinst leaves the state dir's mode"

root="$work/root"
dpkg-deb -x "$deb" "$root"
unit="$root/lib/systemd/system/eventsource-hub.service"
grep -qx 'ExecStart=/usr/bin/eventsource-server --config /etc/eventsource-hub/eventsource.json --data-dir ${STATE_DIRECTORY}' "$unit" \
    || fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx 'User=eventsource-hub' "$unit" || fail "the unit does not run as eventsource-hub"
grep -qx 'StateDirectoryMode=0700' "$unit" || fail "state directory mode"

zcat "$root/usr/share/man/man1/eventsource-server.1.gz" >"$work/man"
grep -q '^\.TH EVENTSOURCE-SERVER "1"' "$work/man" || fail "server man page header"
grep -q -- 'history\\-size' "$work/man" || fail "server man page lacks the options"
zcat "$root/usr/share/man/man1/eventsource-console.1.gz" | grep -q -- 'admin\\-url\|token' \
    || fail "console man page lacks its options"

"$root/usr/bin/eventsource-server" --version | grep -qx "eventsource-server $version" || fail "--version"

if command -v systemd-analyze >/dev/null; then
    # --root: the unit, its ExecStart binary and its man page are looked up in the unpacked
    # package, beside this system's own units (the targets it is ordered with).
    cp -rn /lib/systemd/system/. "$root/lib/systemd/system/"
    MANPATH="$root/usr/share/man" systemd-analyze verify --root="$root" /lib/systemd/system/eventsource-hub.service \
        >"$work/verify" 2>&1 \
        || { cat "$work/verify"; fail "systemd-analyze verify"; }
    if [ -s "$work/verify" ]; then cat "$work/verify"; fail "systemd-analyze verify printed warnings"; fi
    echo "systemd-analyze verify: clean"
else
    echo "SKIP systemd-analyze verify: systemd-analyze is not installed"
fi

# The packaged config is one the packaged server takes (the unit's flags, loopback ports).
"$root/usr/bin/eventsource-server" --config "$root/etc/eventsource-hub/eventsource.json" \
    --data-dir "$work/state" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 300); do grep -qs ' ready public=' "$work/server.log" && break; sleep 0.1; done
grep -q ' ready public=' "$work/server.log" || { cat "$work/server.log"; fail "the packaged server did not start"; }
[ "$(stat -c %a "$work/state")" = 700 ] || fail "state dir mode $(stat -c %a "$work/state")"
[ "$(stat -c %a "$work/state/admin-token")" = 600 ] || fail "admin-token mode"
echo "packaged server started with the packaged config"
echo "PASS"
