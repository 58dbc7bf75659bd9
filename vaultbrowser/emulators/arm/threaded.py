"""Running the ARM emulator on its own event loop in a daemon thread (for sync SDK clients,
and async ones on the test's own loop)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.world import World
from vaultbrowser.emulators.loop_thread import serve_in_thread


@contextmanager
def run_arm_emulator_in_thread(
    world: World, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> Iterator[ArmEmulator]:
    """Start an :class:`ArmEmulator` serving ``world`` (``kwargs`` go to its constructor) on a
    private loop in a daemon thread; stop it and the loop when the block exits.

    Raises:
        Exception: whatever starting the server raised (e.g. the port is taken).
    """
    with serve_in_thread(ArmEmulator(world, **kwargs), host, port, "arm-emulator") as emulator:
        yield emulator
