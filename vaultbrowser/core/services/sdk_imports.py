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
import platform
import sys
import threading
from collections.abc import Iterable

# What every kind's service needs: the transport and the credentials; and what its first
# request would otherwise import on the loop's thread (azure-core reads a response through
# azure.core.rest's aiohttp classes, imported on the first response; the TLS host name is
# IDNA-encoded; a JSON body is decoded as utf-8-sig). Each import there was a stall of the
# first rows (the import machinery and PySide's import hook run for each).
COMMON_MODULES = ("aiohttp", "azure.core.pipeline.transport",
                  "azure.core.rest._aiohttp", "azure.core.rest._http_response_impl_async",
                  "encodings.idna", "encodings.utf_8_sig",
                  "vaultbrowser.core.services.http.transport",
                  "vaultbrowser.core.services.signin.credentials")

# One importing thread at a time: two threads importing the same package tree in different
# orders can trip the import system's deadlock detection.
_IMPORT_LOCK = threading.Lock()


def _import_all(names: Iterable[str]) -> None:
    with _IMPORT_LOCK:
        for name in names:
            importlib.import_module(name)
        # Every SDK client's user agent names the platform: the first ``platform.platform()``
        # runs ``uname -p`` in a subprocess (~4 ms, then cached), which was paid on the loop's
        # thread when the first client was built, inside the first rows.
        platform.platform()


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
