"""Running the emulator on its own event loop in a daemon thread (for sync SDK clients)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vaultbrowser.emulators.keyvault.server import KeyVaultEmulator
from vaultbrowser.emulators.loop_thread import serve_in_thread


@contextmanager
def run_emulator_in_thread(
    host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> Iterator[KeyVaultEmulator]:
    """Start a :class:`KeyVaultEmulator` (``kwargs`` go to its constructor) on a private loop
    in a daemon thread; stop it and the loop when the block exits.

    Raises:
        Exception: whatever starting the server raised (e.g. the port is taken).
    """
    with serve_in_thread(KeyVaultEmulator(**kwargs), host, port, "kv-emulator") as emulator:
        yield emulator
