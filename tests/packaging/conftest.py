"""Fixtures for the packaging scripts. packaging/ is a plain folder, not a package (the name
would shadow PyPA's `packaging`), so its scripts are loaded from their files: build.py here,
the others through build.py's own loader."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"


@pytest.fixture(scope="session")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vb_packaging_build", PACKAGING / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def packaging_script(build: ModuleType) -> Callable[[str], ModuleType]:
    """Loads packaging/<name>.py."""
    return build.load_script
