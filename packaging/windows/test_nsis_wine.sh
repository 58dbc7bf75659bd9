#!/usr/bin/env bash
# The Windows installer's life cycle, run under Wine on Linux against a dummy onedir payload
# (the installer never starts the app): a silent per-user install (files, Start-menu shortcut,
# HKCU uninstall entry), an upgrade in place (a file the old version had and the new one lacks
# must go; the entry shows the new version), then the silent uninstall (our files, shortcut and
# entry gone; a file of the user's in the install folder is kept, and so is the folder), after a
# silent uninstall refused while a program of the build runs.
# Needs makensis (Debian nsis) and 32-bit Wine (NSIS installers are 32-bit):
#   dpkg --add-architecture i386 && apt-get update && apt-get install wine wine32:i386 nsis
# Usage: bash packaging/windows/test_nsis_wine.sh
# Exit codes: 0 passed, 1 a check failed, 2 makensis or Wine missing, 3 Wine cannot run 32-bit.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
script="$repo/packaging/windows/vaultbrowser.nsi"
fail() { echo "test_nsis_wine: FAIL: $*" >&2; exit 1; }
for tool in makensis wine; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test_nsis_wine: $tool not found" >&2; exit 2; }
done

tmp="$(mktemp -d)"
trap 'wineserver -k >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
export WINEPREFIX="$tmp/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
wineboot -i >/dev/null 2>&1 || fail "wineboot could not create a Wine prefix"
if ! wine cmd /c exit 0 >/dev/null 2>&1; then
  echo "test_nsis_wine: Wine cannot run 32-bit programs (install wine32:i386)" >&2
  exit 3
fi

user="$(wine cmd /c 'echo %USERNAME%' 2>/dev/null | tr -d '\r')"
home="$WINEPREFIX/drive_c/users/$user"
dir="$home/AppData/Local/Programs/vaultbrowser"
shortcut="$home/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Vault Browser.lnk"
key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\io.github.vaultbrowser.VaultBrowser'

installer() {  # installer VERSION PAYLOAD → path of the setup exe
  local out="$tmp/vaultbrowser-$1-setup.exe"
  makensis -V1 -WX "-DVERSION=$1" "-DSOURCE_DIR=$2" "-DOUTFILE=$out" "$script" >&2
  echo "$out"
}
registry() {  # registry VALUE → its data, empty when the key or value is missing
  wine reg query "$key" /v "$1" 2>/dev/null | tr -d '\r' | awk -v v="$1" '$1 == v {print $3}'
}

# Version 1: vaultbrowser.exe, vaultbrowser-cli.exe and _internal/ with a module version 2 drops.
mkdir -p "$tmp/v1/_internal" "$tmp/v2/_internal"
for payload in v1 v2; do
  printf 'stand-in %s\n' "$payload" >"$tmp/$payload/vaultbrowser.exe"
  printf 'stand-in %s\n' "$payload" >"$tmp/$payload/vaultbrowser-cli.exe"
  printf 'kept\n' >"$tmp/$payload/_internal/kept.txt"
done
printf 'only in 0.0.1\n' >"$tmp/v1/_internal/dropped.txt"

wine "$(installer 0.0.1 "$tmp/v1")" /S || fail "install exited with $?"
for path in "$dir/vaultbrowser.exe" "$dir/vaultbrowser-cli.exe" "$dir/_internal/dropped.txt" \
    "$dir/uninstall.exe" "$shortcut"; do
  [[ -e "$path" ]] || fail "not installed: $path"
done
[[ "$(registry DisplayVersion)" == 0.0.1 ]] || fail "DisplayVersion after install: $(registry DisplayVersion)"
[[ "$(registry InstallLocation)" == *'\AppData\Local\Programs\vaultbrowser' ]] \
  || fail "InstallLocation: $(registry InstallLocation)"
echo "test_nsis_wine: install OK (per-user folder, shortcut, uninstall entry)"

wine "$(installer 0.0.2 "$tmp/v2")" /S || fail "upgrade exited with $?"
[[ ! -e "$dir/_internal/dropped.txt" ]] || fail "the upgrade left a file of the old version"
[[ "$(cat "$dir/vaultbrowser.exe")" == "stand-in v2" ]] || fail "the upgrade did not replace the exe"
[[ -e "$dir/uninstall.exe" && -e "$shortcut" ]] || fail "uninstaller or shortcut missing after upgrade"
[[ "$(registry DisplayVersion)" == 0.0.2 ]] || fail "DisplayVersion after upgrade: $(registry DisplayVersion)"
echo "test_nsis_wine: upgrade OK (old files gone, new version registered)"

# A running program of the build (here the console twin, played by Wine's ping.exe) holds the
# files: a silent uninstall must refuse (exit code 2) and leave everything in place.
cp "$WINEPREFIX/drive_c/windows/system32/ping.exe" "$dir/vaultbrowser-cli.exe"
wine "$dir/vaultbrowser-cli.exe" -n 60 127.0.0.1 >/dev/null 2>&1 &
sleep 3
status=0
wine "$dir/uninstall.exe" /S "_?=$(winepath -w "$dir")" || status=$?
wineserver -k  # ends the stand-in
wait || true
[[ "$status" == 2 ]] || fail "uninstall while the program runs exited with $status, not 2"
[[ -e "$dir/vaultbrowser.exe" && -e "$dir/_internal/kept.txt" ]] \
  || fail "a refused uninstall removed files"
[[ -n "$(registry DisplayName)" ]] || fail "a refused uninstall removed the uninstall entry"
echo "test_nsis_wine: a running program blocks the uninstall (exit code 2, nothing removed)"

printf 'mine\n' >"$dir/notes-of-the-user.txt"
# _?= runs the uninstaller in place and waits for it (it then cannot delete itself).
wine "$dir/uninstall.exe" /S "_?=$(winepath -w "$dir")" || fail "uninstall exited with $?"
rm -f "$dir/uninstall.exe"
for path in "$dir/vaultbrowser.exe" "$dir/vaultbrowser-cli.exe" "$dir/_internal" "$shortcut"; do
  [[ ! -e "$path" ]] || fail "left after uninstall: $path"
done
[[ -z "$(registry DisplayName)" ]] || fail "the uninstall entry is left"
[[ "$(ls -A "$dir")" == notes-of-the-user.txt ]] || fail "uninstall touched the user's file: $(ls -A "$dir")"
echo "test_nsis_wine: uninstall OK (our files, shortcut and entry gone; the user's file kept)"
echo "test_nsis_wine: all checks passed"
