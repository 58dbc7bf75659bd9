"""The README's run path, end to end: `vaultbrowser --demo` in a child process (emulator,
Azurite, seeding, the window, a screenshot of each tree) exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage


def test_demo_mode_starts_shows_data_and_exits_cleanly(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path),
           "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "vaultbrowser", "--demo", "--screenshot", str(shot)],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for problem in ("Traceback", "Task was destroyed", "Unclosed", "never awaited"):
        assert problem not in output, output
    for path in (shot, tmp_path / "demo-blobs.png"):
        image = QImage(str(path))
        assert image.width() == 1280 and image.height() == 800, path
    # Demo mode saves no connections (the emulators' ports change every run).
    assert not list(tmp_path.rglob("*.conf"))
