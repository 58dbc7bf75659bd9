"""Import the Azure SDK off the event loop's thread.

The SDK (azure-core, aiohttp, the Key Vault and Blob clients) takes about 1 s to import on a
2-core machine. Imported on first use, that second froze the window (one module body is one
uninterruptible step for the loop) and delayed the first rows of the first vault (issue 5).
The window is painted before any of it loads; then ``import_sdk`` imports it in a worker
thread, where the interpreter hands the GIL back to the loop every few milliseconds.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Iterable

from vaultbrowser.core.services.connections import ServiceKind

_COMMON = ("aiohttp", "azure.core.pipeline.transport", "vaultbrowser.core.services.http.transport",
           "vaultbrowser.core.services.credentials")
MODULES: dict[ServiceKind, tuple[str, ...]] = {
    ServiceKind.KEY_VAULT: (*_COMMON, "vaultbrowser.keyvault.services.vault_service",
                            "azure.keyvault.secrets.aio", "azure.keyvault.certificates.aio",
                            "azure.keyvault.keys.aio"),
    ServiceKind.BLOB: (*_COMMON, "vaultbrowser.blob.services.blob_service",
                       "azure.storage.blob.aio"),
}


# One importing thread at a time: two threads importing the same package tree in different
# orders can trip the import system's deadlock detection.
_IMPORT_LOCK = threading.Lock()


def _import_all(names: Iterable[str]) -> None:
    with _IMPORT_LOCK:
        for name in names:
            importlib.import_module(name)


async def import_sdk(kinds: Iterable[ServiceKind] = tuple(ServiceKind)) -> None:
    """Import what the given services need, in a worker thread (instant once imported)."""
    names = list(dict.fromkeys(name for kind in kinds for name in MODULES[kind]))
    await asyncio.to_thread(_import_all, names)
