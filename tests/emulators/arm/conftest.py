"""Fixtures: the demo world's emulator in a daemon thread (one per test module), its TLS files
shared by the folder, and raw HTTP against it.

pytest-asyncio is not installed: async tests call ``asyncio.run`` themselves; the emulator
runs on its own loop, so ``.aio`` clients work on the test's loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread

from .helpers import Raw, demo


@pytest.fixture(scope="session")
def arm_tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("arm-emulator-tls")


@pytest.fixture(scope="module")
def emu(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    """The demo world, served for the whole test module; faults are cleared after each test."""
    with run_arm_emulator_in_thread(demo(), data_dir=arm_tls_dir) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").faults.clear()


@pytest.fixture
def raw(emu: ArmEmulator) -> Raw:
    return Raw(emu)
