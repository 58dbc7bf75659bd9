"""The layer rule of ARCHITECTURE.md, enforced by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "vaultbrowser"
QT_MODULES = ("PySide6", "shiboken6", "qasync")
QT_FREE = ("services", "audit", "emulator", "config.py", "errors.py")
AZURE_ALLOWED = ("services",)  # the only layer that may import azure.*


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        target = PACKAGE / part
        found.extend([target] if target.is_file() else sorted(target.rglob("*.py")))
    return found


@pytest.mark.parametrize("path", _modules(*QT_FREE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_qt_free_layers_do_not_import_qt(path: Path) -> None:
    qt = {name for name in _imports(path) if name.split(".")[0] in QT_MODULES}
    assert not qt, f"{path.relative_to(PACKAGE)} imports {sorted(qt)}"


def test_only_services_import_azure() -> None:
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in AZURE_ALLOWED:
            continue
        azure = {name for name in _imports(path) if name.split(".")[0] == "azure"}
        if azure:
            offenders[str(relative)] = sorted(azure)
    assert not offenders, f"azure.* imported outside services/: {offenders}"


def test_layers_point_down() -> None:
    """services never import models/ui; models never import ui."""
    forbidden = {"services": ("vaultbrowser.models", "vaultbrowser.ui", "vaultbrowser.app"),
                 "models": ("vaultbrowser.ui", "vaultbrowser.app"),
                 "emulator": ("vaultbrowser.models", "vaultbrowser.ui", "vaultbrowser.app")}
    offenders = []
    for layer, banned in forbidden.items():
        for path in _modules(layer):
            for name in _imports(path):
                if name.startswith(banned):
                    offenders.append(f"{path.relative_to(PACKAGE)} → {name}")
    assert not offenders, offenders
