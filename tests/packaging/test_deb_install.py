"""The Linux installer end to end, as root on Debian/Ubuntu: packaging/test_deb.sh builds the
bundle and the .deb, installs it with apt-get, smoke-tests the installed app (offscreen and on
Xvfb), upgrades it in place, purges it and checks nothing is left (~1.5 min)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _why_not() -> str | None:
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        return "needs a Debian/Ubuntu system (apt-get, dpkg)"
    if os.geteuid() != 0:
        return "installs a system package: runs as root only (packaging/test_deb.sh with sudo)"
    installed = subprocess.run(["dpkg", "-s", "vaultbrowser"], capture_output=True)
    if installed.returncode == 0:
        return "vaultbrowser is installed on this machine: the test would replace it"
    return None


@pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))
def test_deb_builds_installs_runs_upgrades_and_purges_cleanly() -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(["bash", str(ROOT / "packaging" / "test_deb.sh")], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=1200, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "PASS: .deb built, installed, smoke-tested" in result.stdout
    figures = result.stdout[result.stdout.index("== figures"):]
    print(figures)  # bundle and package sizes, build time, cold start: shown with -s / -rA
