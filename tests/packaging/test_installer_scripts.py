"""The Windows (NSIS) and macOS (.dmg) installer scripts: they compile or at least parse.

The NSIS script is compiled for real with Linux's makensis (Debian's ``nsis``) against a dummy
payload by ``packaging/windows/check_nsis.sh``; without makensis that test is skipped, never passed.
"""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NSI = REPO / "packaging" / "windows" / "vaultbrowser.nsi"
CHECK_NSIS = REPO / "packaging" / "windows" / "check_nsis.sh"
BUILD_DMG = REPO / "packaging" / "macos" / "build_dmg.sh"
ENTITLEMENTS = REPO / "packaging" / "macos" / "entitlements.plist"

# Hardened-runtime exceptions the app may ask for; anything else in the file is a mistake.
KNOWN_ENTITLEMENTS = {
    "com.apple.security.cs.allow-unsigned-executable-memory",
    "com.apple.security.cs.allow-jit",
}
# Together these let anyone inject code into the signed app (DYLD_INSERT_LIBRARIES).
FORBIDDEN_ENTITLEMENTS = {
    "com.apple.security.cs.disable-library-validation",
    "com.apple.security.cs.allow-dyld-environment-variables",
}


def _run(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_nsis_script_compiles_with_makensis() -> None:
    if shutil.which("makensis") is None:
        pytest.skip("makensis is not on PATH (Debian: apt-get install -y nsis)")
    result = _run("bash", CHECK_NSIS)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "check_nsis: default-icon: OK" in result.stdout, output
    assert "check_nsis: all checks passed" in result.stdout, output


def test_nsis_script_is_per_user_and_guards_its_defines() -> None:
    text = NSI.read_text(encoding="utf-8")
    assert "Unicode true" in text
    assert "RequestExecutionLevel user" in text
    assert 'InstallDir "$LOCALAPPDATA\\Programs\\${APP_NAME}"' in text
    assert '!define APP_NAME "vaultbrowser"' in text
    assert "SetShellVarContext current" in text
    assert "SetShellVarContext all" not in text
    assert "HKLM" not in text
    for define in ("VERSION", "SOURCE_DIR", "OUTFILE", "VERSION4", "ICON"):
        assert f"!ifndef {define}" in text or f"!ifdef {define}" in text, define
    assert r"Uninstall\${APP_ID}" in text
    # The uninstaller deletes the build's own names, never the whole (user-chosen) folder.
    uninstall = text[text.index('Section "Uninstall"'):]
    assert 'RMDir /r "$INSTDIR"\n' not in uninstall
    assert 'RMDir /r "$INSTDIR\\_internal"' in uninstall
    assert 'RMDir "$INSTDIR"  ; only when empty' in uninstall


def test_windows_installer_installs_upgrades_and_uninstalls_under_wine() -> None:
    """The installer's life cycle (packaging/windows/test_nsis_wine.sh), where 32-bit Wine runs."""
    result = _run("bash", REPO / "packaging" / "windows" / "test_nsis_wine.sh", timeout=300)
    if result.returncode in (2, 3):  # the script's "cannot run here" codes, never a pass
        pytest.skip(result.stderr.strip() + " (dpkg --add-architecture i386; apt-get install "
                    "wine wine32:i386 nsis)")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_nsis_wine: all checks passed" in result.stdout


def test_build_dmg_script_parses() -> None:
    result = _run("bash", "-n", BUILD_DMG, timeout=30)
    assert result.returncode == 0, result.stderr


def test_installer_shell_scripts_are_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not on PATH (Debian: apt-get install -y shellcheck)")
    result = _run("shellcheck", BUILD_DMG, CHECK_NSIS, REPO / "packaging" / "windows" /
                  "test_nsis_wine.sh", REPO / "packaging" / "test_deb.sh", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_entitlements_plist_has_only_known_hardened_runtime_exceptions() -> None:
    with ENTITLEMENTS.open("rb") as fh:
        entitlements = plistlib.load(fh)
    assert isinstance(entitlements, dict)
    assert entitlements, "an empty entitlements file: ctypes needs unsigned executable memory"
    assert set(entitlements) <= KNOWN_ENTITLEMENTS, set(entitlements) - KNOWN_ENTITLEMENTS
    assert not set(entitlements) & FORBIDDEN_ENTITLEMENTS
    # Apple: boolean entitlements default to false; list only those set to true.
    assert all(value is True for value in entitlements.values()), entitlements
