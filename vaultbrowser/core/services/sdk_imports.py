"""Import the Azure SDK off the event loop's thread.

The SDK (azure-core, aiohttp, the Key Vault and Blob clients) takes about 1 s to import on a
2-core machine. Imported on first use, that second froze the window (one module body is one
uninterruptible step for the loop) and delayed the first rows of the first vault (issue 5).
The window is painted before any of it loads; then ``import_sdk`` imports it in a worker
thread, where the interpreter hands the GIL back to the loop every few milliseconds. Each kind
names its own modules (``ServiceKind.sdk_modules``).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
from collections.abc import Iterable

# What every kind's service needs: the transport and the credentials.
COMMON_MODULES = ("aiohttp", "azure.core.pipeline.transport",
                  "vaultbrowser.core.services.http.transport",
                  "vaultbrowser.core.services.signin.credentials")

# One importing thread at a time: two threads importing the same package tree in different
# orders can trip the import system's deadlock detection.
_IMPORT_LOCK = threading.Lock()


def _import_all(names: Iterable[str]) -> None:
    with _IMPORT_LOCK:
        for name in names:
            importlib.import_module(name)


def _imported(name: str) -> bool:
    """Whether ``name`` is imported in full (not still running in another thread)."""
    spec = getattr(sys.modules.get(name), "__spec__", None)
    return spec is not None and not getattr(spec, "_initializing", False)


async def import_sdk(modules: Iterable[str] = ()) -> None:
    """Import the common modules and ``modules``, in a worker thread (instant once imported,
    even while another thread imports other kinds' modules)."""
    names = list(dict.fromkeys((*COMMON_MODULES, *modules)))
    if all(_imported(name) for name in names):
        return
    await asyncio.to_thread(_import_all, names)
