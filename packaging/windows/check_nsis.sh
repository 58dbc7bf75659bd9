#!/usr/bin/env bash
# Compile-check packaging/windows/vaultbrowser.nsi on Linux (Debian's `nsis` package) against a
# dummy onedir payload: a fake vaultbrowser.exe and _internal/dummy.txt. makensis runs with -WX
# (warnings are errors), once without ICON and once with build/icons/vaultbrowser.ico when that
# file exists. The installer produced must exist and start with "MZ".
#
# Usage: bash packaging/windows/check_nsis.sh
# Env:   MAKENSIS_WAIT  seconds to wait for makensis to appear on PATH (default 0)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
script="$repo/packaging/windows/vaultbrowser.nsi"
icon="$repo/build/icons/vaultbrowser.ico"

wait_s="${MAKENSIS_WAIT:-0}"
while ! command -v makensis >/dev/null 2>&1 && (( wait_s > 0 )); do
    sleep 5
    wait_s=$(( wait_s - 5 ))
done
if ! command -v makensis >/dev/null 2>&1; then
    echo "check_nsis: makensis not found on PATH (install it: apt-get install -y nsis)" >&2
    exit 2
fi

version="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import vaultbrowser; print(vaultbrowser.__version__)' "$repo")"
if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "check_nsis: version '$version' is not X.Y.Z; pass VERSION4 explicitly" >&2
    exit 1
fi
version4="$version.0"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/payload/_internal"
printf 'not a real executable\n' >"$tmp/payload/vaultbrowser.exe"
printf 'dummy\n' >"$tmp/payload/_internal/dummy.txt"

build() {  # build <label> [extra makensis args...]
    local label="$1"
    shift
    # Not "setup.exe": makensis warns (9000) that Windows applies compatibility shims to it.
    local out="$tmp/vaultbrowser-$version-$label-setup.exe"
    makensis -V2 -WX \
        "-DVERSION=$version" "-DVERSION4=$version4" \
        "-DSOURCE_DIR=$tmp/payload" "-DOUTFILE=$out" \
        "$@" "$script"
    if [[ ! -s "$out" ]]; then
        echo "check_nsis: $label: $out was not written" >&2
        exit 1
    fi
    if [[ "$(head -c 2 "$out")" != "MZ" ]]; then
        echo "check_nsis: $label: $out does not start with MZ" >&2
        exit 1
    fi
    echo "check_nsis: $label: OK, $(wc -c <"$out") bytes ($(makensis -VERSION))"
}

build default-icon
if [[ -f "$icon" ]]; then
    build icon "-DICON=$icon"
else
    echo "check_nsis: $icon not built yet: the ICON variant was skipped"
fi

# VERSION4 omitted: derived from VERSION inside the script.
out="$tmp/vaultbrowser-derived-setup.exe"
makensis -V2 -WX "-DVERSION=$version" "-DSOURCE_DIR=$tmp/payload" "-DOUTFILE=$out" "$script"
[[ -s "$out" ]] || { echo "check_nsis: derived VERSION4: no output" >&2; exit 1; }

# A missing required define must stop the build with a clear message.
if makensis -V1 -WX "-DVERSION=$version" "-DOUTFILE=$tmp/never-setup.exe" "$script" \
        >"$tmp/missing.log" 2>&1; then
    echo "check_nsis: compiled without SOURCE_DIR" >&2
    exit 1
fi
grep -q "SOURCE_DIR is not defined" "$tmp/missing.log" || {
    echo "check_nsis: no clear error for a missing SOURCE_DIR:" >&2
    cat "$tmp/missing.log" >&2
    exit 1
}
echo "check_nsis: all checks passed"
