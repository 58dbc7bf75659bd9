"""Demo mode: every kind's local emulator, seeded with realistic data, as ordinary connections.

Nothing leaves loopback. Qt-free and kind-free: each kind brings its ``DemoProvider``; the
window and the audit command only receive ``Connection``s. A kind whose emulator cannot run
here (Azurite without Node.js) is listed in ``unavailable`` with the reason, and the demo goes
on with the others.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.kinds import DemoProvider, DemoUnavailable, ServiceKind

log = logging.getLogger(__name__)
# A folder of the user's choosing for the demo (kept afterwards, e.g. to read its audit trail);
# otherwise a temporary one, removed when the demo stops or the process exits.
DEMO_DIR_ENV = "VAULTBROWSER_DEMO_DIR"


class DemoEnvironment:
    """Start with ``connections()`` (an async iterator, one connection per kind as it comes
    up); stop with ``stop()``."""

    def __init__(self, kinds: Sequence[ServiceKind], workdir: Path | None = None, *,
                 seed: bool = True) -> None:
        chosen = workdir or (Path(os.environ[DEMO_DIR_ENV]) if os.environ.get(DEMO_DIR_ENV)
                             else None)
        # The temporary folder holds the emulators' CA key and data: it never outlives us
        # (atexit also covers Ctrl+C and an error on the way out).
        self._owns_workdir = chosen is None
        self.workdir = chosen or Path(tempfile.mkdtemp(prefix="vaultbrowser-demo-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._owns_workdir:
            atexit.register(self.remove_workdir)
        self.kinds = tuple(kinds)
        self.seed = seed
        self.unavailable: dict[str, str] = {}  # kind name → why its demo cannot start here
        self._started: list[DemoProvider] = []
        self._stopped = False

    async def connections(self, status: Callable[[str], None] = lambda _text: None, *,
                          extras: bool = False) -> AsyncIterator[Connection]:
        """Start each kind's emulator in turn; ``status`` hears what is starting. With
        ``extras``, a kind's further demo connections follow its first (``more_connections``
        of its provider: the Key Vault demo's staging vault), for the window's tools across
        connections; the audit command audits the first ones only."""
        started: dict[str, Connection] = {}  # by Azure resource type
        for kind in self.kinds:
            if self._stopped:
                return
            provider = kind.demo(self.workdir, self.seed)
            status(provider.starting)
            self._started.append(provider)
            try:
                connection = await provider.start(dict(started))
                if kind.resource_type:
                    started[kind.resource_type] = connection
                yield connection
                if extras:
                    for more in getattr(provider, "more_connections", ()):
                        yield more
            except DemoUnavailable as exc:
                self.unavailable[kind.name] = str(exc)
                log.warning("%s demo unavailable: %s", kind.label, exc)

    def summary(self) -> str:
        """One status line about what started."""
        if not self.unavailable:
            return "Demo mode: local emulators with demo data"
        labels = {kind.name: kind.label for kind in self.kinds}
        missing = "; ".join(f"{labels[name]} demo unavailable ({reason})"
                            for name, reason in self.unavailable.items())
        return f"Demo mode: {missing}."

    async def stop(self) -> None:
        """Stop every emulator started, the last first; then remove the temporary folder."""
        self._stopped = True
        while self._started:
            provider = self._started.pop()
            with contextlib.suppress(Exception):
                await provider.stop()
        self.remove_workdir()

    def remove_workdir(self) -> None:
        """Remove the demo's temporary folder (never a folder the user chose)."""
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    async def start_all(self, status: Callable[[str], None] = lambda _text: None,
                        ) -> list[Connection]:
        """Every kind's demo connection (those that could start)."""
        return [connection async for connection in self.connections(status)]



