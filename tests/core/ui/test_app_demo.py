"""The README's run path, end to end: `vaultbrowser --demo` in a child process (emulator,
Azurite, seeding, the window, a screenshot of each tree) exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_demo_mode_starts_shows_data_and_exits_cleanly(tmp_path: Path, zone: str) -> None:
    """In time zones east and west of UTC too: the demo holds a secret expiring 9999-12-31
    (local time east of UTC is in year 10000), certificates that do not fully decode and blob
    names with invisible characters."""
    shot = tmp_path / "demo.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "HOME": str(tmp_path), "TZ": zone}
    result = subprocess.run(
        [sys.executable, "-m", "vaultbrowser", "--demo", "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for problem in ("Traceback", "Task was destroyed", "Unclosed", "never awaited",
                    "showing a placeholder"):
        assert problem not in output, output
    for path in (shot, tmp_path / "demo-blobs.png"):
        image = QImage(str(path))
        assert image.width() == 1280 and image.height() == 800, path
    # Demo mode saves no connections (the emulators' ports change every run).
    assert not list(tmp_path.rglob("*.conf"))


def test_smoke_test_mode_writes_its_result_and_exits_zero(tmp_path: Path) -> None:
    """What the installers' checks run: the demo, first rows of both trees, a result file."""
    import json
    import time

    result_file = tmp_path / "smoke.json"
    launched = time.time()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "vaultbrowser", "--smoke-test", str(result_file)],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output, output
    smoke = json.loads(result_file.read_text(encoding="utf-8"))
    assert smoke["ok"] is True and smoke["trees"]["Secrets"] > 5
    assert smoke["icons"] is True
    assert smoke["trees"]["Blobs"] > 1 and smoke["unavailable"] == {}
    assert 0 < smoke["first_paint_seconds"] < smoke["first_rows_seconds"] < 90
    assert launched < smoke["first_paint_epoch"] < time.time()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".smoke")] == []


def test_smoke_test_fails_at_once_and_says_why_without_blob_storage(tmp_path: Path) -> None:
    """An installed app without Node.js/Azurite: exit 1 with the reason, not a 2-minute wait."""
    import json

    result_file = tmp_path / "smoke.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "HOME": str(tmp_path), "VAULTBROWSER_AZURITE": str(tmp_path / "no-azurite-here")}
    result = subprocess.run(
        [sys.executable, "-m", "vaultbrowser", "--smoke-test", str(result_file)],
        env=env, capture_output=True, text=True, timeout=100, check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    smoke = json.loads(result_file.read_text(encoding="utf-8"))
    # The other kinds still list: the Azure demo's tenants are there, its storage account
    # points at the Azurite that could not start.
    assert smoke["ok"] is False and smoke["trees"]["Blobs"] == 0
    assert smoke["trees"]["Azure"] == 2
    assert smoke["trees"]["Secrets"] > 5 and "no-azurite-here" in smoke["unavailable"]["blob"]
