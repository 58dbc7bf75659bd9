"""The house rules of ``pyproject.toml`` (import-linter contracts: layers, kind independence,
no Qt or Azure where they do not belong, no import circles) hold for the code, and they bite:
a copy of the code with one wrong import fails the contract it breaks. ``scripts/test`` runs
``lint-imports`` too; here the suite proves the contracts are not vacuous."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the code under ``root`` (its pyproject.toml and package)."""
    script = ("import sys; from importlinter.cli import lint_imports; "
              "sys.exit(lint_imports(no_cache=True, no_logo=True))")
    return subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_every_contract_is_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("house")
    shutil.copy(ROOT / "pyproject.toml", root)
    shutil.copytree(ROOT / "vaultbrowser", root / "vaultbrowser",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize("module, wrong_import, broken", [
    # A service reaching up into the Qt half.
    ("core/services/errors.py", "from vaultbrowser.core.ui.tree import tree_pane",
     "Inside core and every kind"),
    # One kind using another's code instead of core's.
    ("keyvault/services/inputs.py", "from vaultbrowser.blob.services import rules",
     "Kinds meet only in core and app.py"),
    # Qt in an emulator.
    ("emulators/tcp_proxy.py", "import PySide6.QtCore", "never import Qt"),
    # The SDK outside services/.
    ("core/models/formatting.py", "import azure.core.exceptions", "Only services/ import"),
    # Core naming a kind: only app.py may.
    ("core/ui/detail_pane.py", "from vaultbrowser.keyvault import kind", "The house"),
    # A circle between two sibling modules.
    ("core/services/records.py", "from vaultbrowser.core.services import session",
     "No import circles"),
])
def test_a_wrong_import_breaks_its_contract(copy_of_the_code: Path, module: str,
                                            wrong_import: str, broken: str) -> None:
    path = copy_of_the_code / "vaultbrowser" / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{wrong_import}  # noqa\n", encoding="utf-8")
    try:
        result = _lint(copy_of_the_code)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    _, _, report = result.stdout.partition("Broken contracts")
    assert broken in report, result.stdout


def test_the_command_line_and_the_registry_load_neither_qt_nor_the_sdk() -> None:
    """``vaultbrowser --help`` and ``vaultbrowser audit`` stay instant: listing the kinds
    imports no Qt and no Azure SDK (each kind loads those when it is first used)."""
    script = ("import sys; from vaultbrowser.app import KINDS, build_parser; build_parser(); "
              "print(sorted({m.split('.')[0] for m in sys.modules} & "
              "{'PySide6', 'shiboken6', 'qasync', 'azure', 'aiohttp'}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
