"""An emulator's server on its own event loop in a daemon thread, for sync SDK clients and
async ones on a test's own loop (the Key Vault and ARM emulators and the TCP proxy share it)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar


class LoopbackServer(Protocol):
    async def start(self, host: str, port: int) -> None: ...

    async def stop(self) -> None: ...


ServerT = TypeVar("ServerT", bound=LoopbackServer)


@contextmanager
def serve_in_thread(server: ServerT, host: str, port: int, thread_name: str) -> Iterator[ServerT]:
    """Start ``server`` on a private loop in a daemon thread named ``thread_name``; stop it and
    the loop when the block exits.

    Raises:
        Exception: whatever starting the server raised (e.g. the port is taken).
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name=thread_name, daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(server.start(host, port), loop).result(timeout=30)
        yield server
    finally:
        try:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
