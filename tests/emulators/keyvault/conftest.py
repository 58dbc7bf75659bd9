"""Fixtures for the emulator tests: real SDK clients against threaded emulators.

pytest-asyncio is not installed: async tests call ``helpers.run`` (``asyncio.run``) themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import FakeCredential, Raw


@pytest.fixture(scope="session")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kv-emulator-tls")


@pytest.fixture(scope="session")
def emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    """One emulator shared by the tests that do not count whole listings."""
    with run_emulator_in_thread(data_dir=tls_dir) as emulator:
        yield emulator


@pytest.fixture
def fresh_emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    """An empty emulator of the test's own (reuses the session's TLS material)."""
    with run_emulator_in_thread(data_dir=tls_dir) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emu" in request.fixturenames:
        request.getfixturevalue("emu").faults.clear()


@pytest.fixture
def cred() -> FakeCredential:
    return FakeCredential()


@pytest.fixture
def raw(emu: KeyVaultEmulator) -> Raw:
    return Raw(emu)
