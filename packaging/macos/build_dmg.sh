#!/usr/bin/env bash
# Sign (optionally), package and notarize (optionally) the PyInstaller build dist/vaultbrowser.app
# into dist/vaultbrowser-<version>-macos-<arm64|x86_64>.dmg. Runs on macOS, from any directory,
# after PyInstaller.
#
# Environment (all optional):
#   MACOS_SIGN_IDENTITY   "Developer ID Application: Name (TEAMID)": sign every Mach-O inside the
#                         app (deepest first), then the app, with the hardened runtime, a secure
#                         timestamp and packaging/macos/entitlements.plist; then sign the .dmg.
#                         Unset: ad-hoc signature only (runs on Apple silicon, not distributable).
#   MACOS_NOTARY_PROFILE  a keychain profile made with `xcrun notarytool store-credentials`, or
#   APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD (an app-specific password): notarize the .dmg
#                         (`notarytool submit --wait`, must end "Accepted"), then staple it.
#                         Needs MACOS_SIGN_IDENTITY.
#   APP                   the bundle to package (default: dist/vaultbrowser.app)
#
# Entitlements: only com.apple.security.cs.allow-unsigned-executable-memory, after
#   https://github.com/pyinstaller/pyinstaller/issues/4629 (a PyInstaller app signed with
#   `-o runtime` crashes at start-up in ctypes without it) and its reporter's follow-up
#   https://github.com/firstlookmedia/flock-agent/issues/89 (with the hardened runtime the app
#   works with allow-unsigned-executable-memory; allow-jit "isn't actually required"). Everything
#   is signed with one identity, so disable-library-validation is not needed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

APP_ID="io.github.vaultbrowser.VaultBrowser"
VOLNAME="Vault Browser"
app="${APP:-dist/vaultbrowser.app}"
entitlements="$repo/packaging/macos/entitlements.plist"
identity="${MACOS_SIGN_IDENTITY:-}"

done_steps=()
skipped_steps=()

die() { echo "build_dmg: error: $*" >&2; exit 1; }
log() { echo "build_dmg: $*"; }

[[ "$(uname -s)" == "Darwin" ]] || die "runs on macOS only (codesign, hdiutil, xcrun)"
[[ -d "$app" ]] || die "$app not found: run PyInstaller first"
[[ -x "$app/Contents/MacOS/vaultbrowser" ]] || die "$app/Contents/MacOS/vaultbrowser missing"

version="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import vaultbrowser; print(vaultbrowser.__version__)' "$repo")"
dmg="dist/vaultbrowser-$version-macos-$(uname -m).dmg"  # arm64 or x86_64: PyInstaller builds for this CPU only

bundle_id="$(/usr/libexec/PlistBuddy -c 'Print :CFBundleIdentifier' "$app/Contents/Info.plist" 2>/dev/null || true)"
if [[ "$bundle_id" != "$APP_ID" ]]; then
    log "warning: CFBundleIdentifier is '$bundle_id', expected $APP_ID"
fi

notarize=""
if [[ -n "${MACOS_NOTARY_PROFILE:-}" ]]; then
    notarize="profile"
elif [[ -n "${APPLE_ID:-}" && -n "${APPLE_TEAM_ID:-}" && -n "${APPLE_APP_PASSWORD:-}" ]]; then
    notarize="apple-id"
elif [[ -n "${APPLE_ID:-}${APPLE_TEAM_ID:-}${APPLE_APP_PASSWORD:-}" ]]; then
    die "notarization needs all of APPLE_ID, APPLE_TEAM_ID and APPLE_APP_PASSWORD"
fi
if [[ -n "$notarize" && -z "$identity" ]]; then
    die "notarization requested but MACOS_SIGN_IDENTITY is not set (Apple notarizes signed code only)"
fi

# --- (a) sign the app -----------------------------------------------------------------------------

# Captured, not piped into grep -q: under pipefail an early grep exit can SIGPIPE `file` (several
# lines for a universal binary) and a Mach-O would be skipped, i.e. left unsigned.
is_macho() { local kind; kind="$(file -b "$1")"; [[ "$kind" == *Mach-O* ]]; }
is_executable() { local kind; kind="$(file -b "$1")"; [[ "$kind" == *executable* ]]; }

# Paths under $1 for which the predicate $2 holds, deepest first (NUL-separated).
deepest_first() {
    local root="$1" kind="$2"
    if [[ "$kind" == files ]]; then
        find "$root/Contents" -type f -print0
    else
        # Nested bundles (.framework, .app, .bundle) are sealed after their contents.
        find "$root/Contents" -type d \( -name '*.framework' -o -name '*.app' -o -name '*.bundle' \) \
            -print0
    fi | while IFS= read -r -d '' path; do
        slashes="${path//[^\/]/}"
        printf '%d\t%s\0' "${#slashes}" "$path"
    done | sort -z -t $'\t' -k1,1nr | while IFS= read -r -d '' line; do
        printf '%s\0' "${line#*$'\t'}"
    done
}

if [[ -n "$identity" ]]; then
    log "signing with '$identity' (hardened runtime, timestamp)"
    sign=(codesign --force --timestamp --options runtime --sign "$identity")
    count=0
    while IFS= read -r -d '' f; do
        is_macho "$f" || continue
        if is_executable "$f"; then
            # Entitlements belong to executables; libraries inherit their host's.
            "${sign[@]}" --entitlements "$entitlements" "$f"
        else
            "${sign[@]}" "$f"
        fi
        count=$((count + 1))
    done < <(deepest_first "$app" files)
    while IFS= read -r -d '' b; do
        # A directory named *.framework without an Info.plist is no bundle to codesign: its
        # binaries were signed above.
        if [[ -n "$(find "$b" -maxdepth 4 -name Info.plist -print -quit)" ]]; then
            "${sign[@]}" "$b"
        fi
    done < <(deepest_first "$app" bundles)
    "${sign[@]}" --entitlements "$entitlements" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
    done_steps+=("signed $count Mach-O files and $app with '$identity' (hardened runtime)")
else
    log "MACOS_SIGN_IDENTITY not set: ad-hoc signature only"
    codesign --force --deep --sign - "$app"
    codesign --verify --deep --strict "$app"
    done_steps+=("ad-hoc signed $app (runs locally and on Apple silicon)")
    skipped_steps+=("Developer ID signing: the app and .dmg are UNSIGNED for distribution (Gatekeeper will block them on other Macs)")
fi

# --- (b) the .dmg ---------------------------------------------------------------------------------

staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/$(basename "$app")"
ln -s /Applications "$staging/Applications"
mkdir -p "$(dirname "$dmg")"
# hdiutil on CI runners fails now and then with "Resource busy"
# (https://github.com/actions/runner-images/issues/7522): retry a few times.
for attempt in 1 2 3 4 5; do
    rm -f "$dmg"
    if hdiutil create -volname "$VOLNAME" -srcfolder "$staging" -ov -format UDZO "$dmg"; then
        break
    fi
    [[ "$attempt" -lt 5 ]] || die "hdiutil create failed 5 times"
    log "hdiutil create failed (attempt $attempt); retrying"
    sleep $((attempt * 5))
done
done_steps+=("created $dmg")

# --- (c) sign the .dmg ----------------------------------------------------------------------------

if [[ -n "$identity" ]]; then
    codesign --force --timestamp --sign "$identity" "$dmg"
    codesign --verify --strict --verbose=2 "$dmg"
    done_steps+=("signed $dmg")
else
    skipped_steps+=("signing the .dmg (no MACOS_SIGN_IDENTITY)")
fi

# --- (d) notarize and staple ----------------------------------------------------------------------

if [[ -n "$notarize" ]]; then
    if [[ "$notarize" == profile ]]; then
        auth=(--keychain-profile "$MACOS_NOTARY_PROFILE")
    else
        auth=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
    fi
    log "submitting $dmg for notarization (waits for the result)"
    result="$(xcrun notarytool submit "$dmg" "${auth[@]}" --wait --timeout 30m --output-format json)" || true
    echo "$result"
    field() {
        python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' \
            "$result" "$1" 2>/dev/null || true
    }
    status="$(field status)"
    submission="$(field id)"
    if [[ "$status" != "Accepted" ]]; then
        if [[ -n "$submission" ]]; then
            xcrun notarytool log "$submission" "${auth[@]}" || true
        fi
        die "notarization status is '${status:-unknown}', not Accepted"
    fi
    xcrun stapler staple "$dmg"
    xcrun stapler validate "$dmg"
    done_steps+=("notarized (submission $submission: Accepted) and stapled $dmg")
else
    skipped_steps+=("notarization (set MACOS_NOTARY_PROFILE, or APPLE_ID + APPLE_TEAM_ID + APPLE_APP_PASSWORD)")
fi

echo
log "done:"
for s in "${done_steps[@]}"; do echo "  + $s"; done
if (( ${#skipped_steps[@]} )); then
    log "not done:"
    for s in "${skipped_steps[@]}"; do echo "  - $s"; done
fi
echo "$dmg"
