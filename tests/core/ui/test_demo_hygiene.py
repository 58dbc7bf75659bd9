"""The demo leaves nothing behind: its temporary folder (with the emulators' CA key) goes at
exit, after Ctrl+C too, and it never writes into the user's audit trail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def env_for(tmp_path: Path) -> dict[str, str]:
    temp = tmp_path / "tmp"
    temp.mkdir()
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(temp),
            "VAULTBROWSER_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config")}


def demo_folders(tmp_path: Path) -> list[Path]:
    return list((tmp_path / "tmp").glob("vaultbrowser-demo-*"))


def test_the_demo_folder_goes_at_exit_and_the_users_trail_stays_untouched(
        tmp_path: Path) -> None:
    env = env_for(tmp_path)
    done = subprocess.run([sys.executable, "-m", "vaultbrowser", "--demo", "--screenshot",
                           str(tmp_path / "shot.png")], env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "shot.png").exists()
    assert demo_folders(tmp_path) == []
    assert not (tmp_path / "data" / "audit-trail.jsonl").exists()


def test_ctrl_c_closes_cleanly_and_removes_the_demo_folder(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "vaultbrowser", "--demo"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any((folder / "keyvault").exists() for folder in demo_folders(tmp_path)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.2)
        time.sleep(1.0)  # the emulators are up
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, out + err
    assert "Traceback" not in err
    assert demo_folders(tmp_path) == []
