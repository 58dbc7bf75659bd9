#!/usr/bin/env bash
# The installer check on a Debian/Ubuntu machine (run as root, or a user with sudo):
#   build the PyInstaller bundle and the .deb, `apt-get install ./file.deb`, run the INSTALLED
#   vaultbrowser in smoke-test mode (offscreen, then on Xvfb with Qt's xcb plugin, which loads
#   the X libraries the package Depends on), upgrade it in place, purge it and check nothing is
#   left; then compile the Windows NSIS script against a dummy payload.
# Installs what it needs (build-host libraries, Xvfb, NSIS, the venv, Azurite). Prints figures:
# bundle and package sizes, build time, frozen-app cold start next to the source app's.
# With --clean-system it also installs the .deb into a minimal Debian (debootstrap minbase of
# this host's release) with apt, so the package's Depends alone must bring up the app, and runs
# the smoke test there offscreen and against an X server (~1.5 min more; needs root).
# Usage: packaging/test_deb.sh [--no-build] [--clean-system]
#   --no-build: test the .deb already in dist/
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
build=1
clean_system=0
for argument in "$@"; do
  case "$argument" in
    --no-build) build=0 ;;
    --clean-system) clean_system=1 ;;
    *) echo "usage: $0 [--no-build] [--clean-system]" >&2; exit 2 ;;
  esac
done

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

if dpkg -s vaultbrowser >/dev/null 2>&1; then
  fail "vaultbrowser is already installed here; this test installs and purges it (remove it first)"
fi

say "build-host packages"
# The libraries the bundle's Qt plugins link (the bundle check in build.py names any missing
# one), the package tools and validators, Xvfb for the xcb run, NSIS for the Windows script.
host_packages=(binutils dpkg-dev desktop-file-utils appstream xvfb xauth nsis debootstrap
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-randr0
  libxcb-shape0 libxcb-xkb1 libxcb-xinerama0 libxcb-xfixes0 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxkbcommon-x11-0 libwayland-client0 libwayland-cursor0 libwayland-egl1
  libegl1 libgl1 libfontconfig1 fontconfig)
missing=()
for package in "${host_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -q || echo "warning: apt-get update reported errors" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

version=$(python3 -c "import sys; sys.path.insert(0, '$repo'); import vaultbrowser; print(vaultbrowser.__version__)")
arch=$(dpkg --print-architecture)
deb="dist/vaultbrowser_${version}_${arch}.deb"

if [ "$build" = 1 ]; then
  if ! .venv/bin/python -c "import PyInstaller, vaultbrowser" 2>/dev/null || [ ! -d node_modules ]; then
    say "venv, Azurite and PyInstaller"
    scripts/setup
  fi
  say "bundle and .deb"
  started=$(date +%s)
  .venv/bin/python packaging/build.py
  build_seconds=$(( $(date +%s) - started ))
fi
[ -f "$deb" ] || fail "$deb was not built"

work=$(mktemp -d)
xvfb_pid=""
cleanup() {
  # Never leave the package behind, whatever failed.
  if dpkg -s vaultbrowser >/dev/null 2>&1; then $sudo apt-get purge -y -q vaultbrowser >/dev/null || true; fi
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  # The clean system's /proc must be unmounted before its folder is deleted; if anything is
  # still mounted under $work, keep the folder rather than delete through a mount.
  if [ -d "$work/clean/proc" ]; then $sudo umount "$work/clean/proc" 2>/dev/null || true; fi
  if findmnt -rn -o TARGET | grep -q "^$work"; then
    echo "left $work in place: something is still mounted there" >&2
  else
    $sudo rm -rf "$work"
  fi
}
trap cleanup EXIT

say "install with apt-get (resolves Depends)"
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "./$deb"
[ "$(dpkg-query -W -f='${Status} ${Version}' vaultbrowser)" = "install ok installed $version" ] \
  || fail "dpkg does not report vaultbrowser $version installed"
for path in /usr/bin/vaultbrowser /usr/lib/vaultbrowser/vaultbrowser \
    /usr/share/applications/io.github.vaultbrowser.VaultBrowser.desktop \
    /usr/share/metainfo/io.github.vaultbrowser.VaultBrowser.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.github.vaultbrowser.VaultBrowser.svg \
    /usr/share/icons/hicolor/256x256/apps/io.github.vaultbrowser.VaultBrowser.png \
    /usr/share/man/man1/vaultbrowser.1.gz; do
  [ -e "$path" ] || fail "$path is not installed"
done
desktop-file-validate /usr/share/applications/io.github.vaultbrowser.VaultBrowser.desktop
appstreamcli validate --no-net /usr/share/metainfo/io.github.vaultbrowser.VaultBrowser.metainfo.xml
[ "$(cd / && vaultbrowser --version)" = "vaultbrowser $version" ] || fail "vaultbrowser --version"

# A clean environment, as a desktop launcher gives: no venv, no project on the path, a fresh
# HOME. Azurite and cosmosdb-server (Node.js, from this checkout's node_modules) give the demo
# its Blob Storage and Cosmos DB.
run_clean() {
  env -i HOME="$work/home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    VAULTBROWSER_AZURITE="$repo/node_modules/.bin/azurite-blob" \
    VAULTBROWSER_COSMOSDB_SERVER="$repo/node_modules/@vercel/cosmosdb-server" "$@"
}
check_result() { python3 "$repo/packaging/check_smoke.py" --version "$version" "$@"; }
mkdir -p "$work/home"
files_before=$(find /usr/lib/vaultbrowser | sort)

say "smoke test: installed app, offscreen"
(cd "$work" && run_clean QT_QPA_PLATFORM=offscreen vaultbrowser --smoke-test "$work/offscreen.json")
check_result "$work/offscreen.json"

say "smoke test: installed app on Xvfb with the xcb platform plugin"
(cd "$work" && run_clean QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1400x900x24" \
  vaultbrowser --smoke-test "$work/xcb.json")
check_result "$work/xcb.json"
say "audit report from the installed app (no display; every module the audit loads is bundled)"
(cd "$work" && run_clean vaultbrowser audit --demo --format json --output "$work/audit.json" 2>/dev/null)
python3 - "$work/audit.json" <<'EOF'
import json, shutil, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
assert report["schema"] == "vaultbrowser-audit/1" and report["errors"] == [], report["errors"]
kinds = [connection["kind"] for connection in report["connections"]]
# The vault, the account and the Cosmos account always; Redis where redis-server is installed.
assert {"keyvault", "blob", "cosmos"} <= set(kinds), report["connections"]
assert ("redis" in kinds) == bool(shutil.which("redis-server")), report["connections"]
print(f"  ok: {len(report['connections'])} connections audited, no errors")
EOF
[ "$(find /usr/lib/vaultbrowser | sort)" = "$files_before" ] \
  || fail "running the app wrote into /usr/lib/vaultbrowser (a purge would leave it behind)"

say "cold start: launch → first paint, installed (frozen) app vs. source checkout, 5 runs each"
cold_start() {  # prints seconds from launch to the first painted window
  local launched result
  launched=$(python3 -c 'import time; print(time.time())')
  run_clean QT_QPA_PLATFORM=offscreen "$@" --smoke-test "$work/cold.json" >/dev/null 2>&1
  result=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_paint_epoch"])' "$work/cold.json")
  python3 -c "print(f'{$result - $launched:.2f}')"
}
frozen=(); source=()
for _ in 1 2 3 4 5; do  # alternated, so both see the same machine load
  frozen+=("$(cd "$work" && cold_start vaultbrowser)")
  source+=("$(cd "$work" && cold_start "$repo/.venv/bin/vaultbrowser")")
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
echo "  frozen (installed .deb): ${frozen[*]} s (median $(median "${frozen[@]}"));" \
     "source (.venv): ${source[*]} s (median $(median "${source[@]}"))"

say "upgrade in place"
# The same payload as a newer version, less one file: after the upgrade dpkg must have removed
# the file the new version no longer ships (no stale files from an older release).
mkdir "$work/next"
dpkg-deb -R "$deb" "$work/next/root"
dropped=usr/lib/vaultbrowser/_internal/resources/io.github.vaultbrowser.VaultBrowser.metainfo.xml
[ -e "$work/next/root/$dropped" ] || fail "$dropped not in the package (test needs updating)"
rm "$work/next/root/$dropped"
sed -i "s/^Version: .*/Version: ${version}+upgradetest1/" "$work/next/root/DEBIAN/control"
dpkg-deb --root-owner-group -Zzstd --build "$work/next/root" "$work/next/next.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$work/next/next.deb"
[ "$(dpkg-query -W -f='${Version}' vaultbrowser)" = "${version}+upgradetest1" ] || fail "upgrade"
[ ! -e "/$dropped" ] || fail "upgrade left /$dropped behind"
(cd "$work" && run_clean QT_QPA_PLATFORM=offscreen vaultbrowser --smoke-test "$work/upgraded.json")
check_result "$work/upgraded.json"

say "purge"
dpkg-query -L vaultbrowser | sort > "$work/owned"
DEBIAN_FRONTEND=noninteractive $sudo apt-get purge -y -q vaultbrowser
dpkg -s vaultbrowser >/dev/null 2>&1 && fail "vaultbrowser is still known to dpkg after purge"
[ ! -e /usr/lib/vaultbrowser ] || fail "/usr/lib/vaultbrowser is left after purge"
left=()
while IFS= read -r path; do
  # Shared folders (/usr/share/icons/hicolor/…) belong to other packages too and stay.
  if [ -e "$path" ] && [ ! -d "$path" ]; then left+=("$path"); fi
  case "$path" in /usr/lib/vaultbrowser*) [ ! -e "$path" ] || left+=("$path") ;; esac
done < "$work/owned"
[ "${#left[@]}" = 0 ] || fail "left after purge: ${left[*]}"
echo "  purged: none of the $(wc -l < "$work/owned") paths the package owned is left"

if [ "$clean_system" = 1 ]; then
  # shellcheck disable=SC1091  # the host's release: ID, VERSION_CODENAME
  . /etc/os-release
  say "install into a minimal $ID $VERSION_CODENAME (debootstrap minbase): Depends alone"
  mirror=${DEB_MIRROR:-$([ "$ID" = ubuntu ] && echo http://archive.ubuntu.com/ubuntu || echo http://deb.debian.org/debian)}
  clean="$work/clean"
  $sudo debootstrap --variant=minbase "$VERSION_CODENAME" "$clean" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
  $sudo cp /etc/resolv.conf "$clean/etc/resolv.conf"
  $sudo mount -t proc proc "$clean/proc"
  $sudo mkdir -p "$clean/deb"
  $sudo cp "$deb" "$clean/deb/"
  $sudo chroot "$clean" apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo chroot "$clean" apt-get install -y -q --no-install-recommends \
    "/deb/$(basename "$deb")" > "$work/clean-install.log" 2>&1 \
    || { tail -20 "$work/clean-install.log"; fail "apt-get install in the clean system"; }
  grep -E "newly installed" "$work/clean-install.log" | sed 's/^/  /'
  # Azurite for the demo's storage half: this host's node and node_modules, copied in (hard
  # links where possible), not bind-mounted, so deleting the system cannot reach the originals.
  node_binary=$(command -v node || true)
  if [ -n "$node_binary" ]; then
    $sudo cp "$(readlink -f "$node_binary")" "$clean/usr/local/bin/node"
    $sudo mkdir -p "$clean$repo"
    $sudo cp -al "$repo/node_modules" "$clean$repo/" 2>/dev/null || $sudo cp -a "$repo/node_modules" "$clean$repo/"
  fi
  in_clean() {
    $sudo chroot "$clean" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
      VAULTBROWSER_AZURITE="$repo/node_modules/.bin/azurite-blob" \
      VAULTBROWSER_COSMOSDB_SERVER="$repo/node_modules/@vercel/cosmosdb-server" "$@"
  }
  in_clean QT_QPA_PLATFORM=offscreen vaultbrowser --smoke-test /root/offscreen.json
  $sudo cp "$clean/root/offscreen.json" "$work/clean-offscreen.json"
  check_result "$work/clean-offscreen.json"
  # An X server on this host, reached over loopback TCP (no socket shared into the system).
  display=$(( 90 + RANDOM % 100 ))
  Xvfb ":$display" -screen 0 1400x900x24 -listen tcp -ac >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 1
  in_clean DISPLAY="127.0.0.1:$display" QT_QPA_PLATFORM=xcb vaultbrowser --smoke-test /root/xcb.json
  $sudo cp "$clean/root/xcb.json" "$work/clean-xcb.json"
  check_result "$work/clean-xcb.json"
  kill "$xvfb_pid"; xvfb_pid=""
  $sudo umount "$clean/proc"
fi

say "Windows installer script compiles (makensis against a dummy payload)"
bash packaging/windows/check_nsis.sh

say "figures"
echo "  bundle dist/vaultbrowser: $(du -sh dist/vaultbrowser | cut -f1)  " \
     "$deb: $(du -h "$deb" | cut -f1)  installed: $(dpkg-deb -f "$deb" Installed-Size) KiB"
[ -n "${build_seconds:-}" ] && echo "  build (icons + bundle + .deb): ${build_seconds} s"
echo "  cold start, launch → first paint (smoke-test mode: the demo's emulators start meanwhile):" \
     "frozen median $(median "${frozen[@]}") s, source median $(median "${source[@]}") s"
[ "$clean_system" = 1 ] && echo "  clean system: installed with apt from Depends alone; smoke tests passed (offscreen, xcb)"
echo "PASS: .deb built, installed, smoke-tested (offscreen and xcb), upgraded, purged clean"
