"""Command-line mistakes go to stderr with exit status 2 (argparse's convention), before any
window opens; every option is in --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**ENV, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "vaultbrowser", *args], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("args", "words"), [
    (("--vault", "bad vault!"), "spaces or control characters"),
    (("https://kv1.vault.azure.net/secret/x",), "is not a secret, key or certificate id"),
    (("--azure", "--tenant", "not-a-guid"), "not-a-guid"),
    (("--bogus",), "unrecognized arguments: --bogus"),
])
def test_a_mistake_is_said_on_stderr_with_status_2(args: tuple[str, ...], words: str,
                                                   tmp_path: Path) -> None:
    done = run(*args, tmp_path=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr and done.stdout == ""
    assert "vaultbrowser: error:" in done.stderr


def test_help_names_every_option(tmp_path: Path) -> None:
    from vaultbrowser.app import build_parser

    done = run("--help", tmp_path=tmp_path)
    assert done.returncode == 0
    for action in build_parser()._actions:
        for option in action.option_strings:
            assert option in done.stdout, option
    assert "--screenshot" in done.stdout and "SUPPRESS" not in done.stdout
