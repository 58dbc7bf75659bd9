"""vaultbrowser(1), rendered from the app's own parsers (packaging/make_manpage.py)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def manpage(packaging_script: Callable[[str], ModuleType]) -> ModuleType:
    return packaging_script("make_manpage")


def _visible_options(parser: argparse.ArgumentParser) -> set[str]:
    return {name for action in parser._actions if action.help != argparse.SUPPRESS
            for name in action.option_strings}


def test_every_option_of_both_commands_is_documented(manpage: ModuleType) -> None:
    page = manpage.render()
    audit = manpage.audit_parser(manpage.KINDS)
    options = _visible_options(manpage.build_parser()) | _visible_options(audit)
    assert {"--vault", "--smoke-test", "--read-only", "--output", "--scan-blobs"} <= options
    for option in options:
        assert f"\\fB{manpage.roff(option)}\\fR" in page, option
    assert "--screenshot" in options  # documented like every other option: none is hidden
    from vaultbrowser import __version__

    assert f'"vaultbrowser {__version__}"' in page.splitlines()[0]


def test_roff_escapes_what_roff_would_interpret(manpage: ModuleType) -> None:
    assert manpage.roff("--a") == "\\-\\-a"
    assert manpage.roff(".starts with a dot") == "\\&.starts with a dot"
    assert manpage.roff("back\\slash") == "back\\eslash"


def test_the_page_formats_without_groff_warnings(manpage: ModuleType, tmp_path: Path) -> None:
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed")
    source = tmp_path / "vaultbrowser.1"
    source.write_text(manpage.render(), encoding="utf-8")
    result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(source)],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
