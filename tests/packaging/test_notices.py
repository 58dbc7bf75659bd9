"""Every installer carries the licence and the third-party notices of what it bundles."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> object:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_licence_is_the_one_pyproject_declares() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "vaultbrowser contributors" in text
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_notices_list_every_runtime_dependency_with_its_licence() -> None:
    notices = load("notices")
    text = notices.render()  # type: ignore[attr-defined]
    assert "LGPL-3.0" in text and "can be replaced" in text  # Qt's terms, honoured
    assert re.search(r"^PySide6[_-]Essentials \S+ — .*LGPL-3\.0-only", text, re.M)
    requirements = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    runtime = re.findall(r'^\s+"([A-Za-z0-9][A-Za-z0-9._-]*)', requirements.split(
        "[project.optional-dependencies]")[0].split("dependencies = [", 1)[1], re.M)
    listed = {line.split(" ", 1)[0].lower().replace("_", "-") for line in text.splitlines()}
    for name in runtime:
        assert name.lower().replace("_", "-") in listed, name
    assert "pytest" not in listed and "pyinstaller" not in listed  # dev tools are not bundled


def test_every_installer_gets_them() -> None:
    build = (ROOT / "packaging" / "build.py").read_text(encoding="utf-8")
    assert 'legal / "LICENSE.txt"' in build and 'legal / "THIRD_PARTY_NOTICES.txt"' in build
    assert 'doc / "LICENSE"' in build and 'doc / "THIRD_PARTY_NOTICES.txt"' in build
