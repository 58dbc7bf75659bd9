"""Demo mode: every kind's local emulator, seeded with realistic data, as ordinary connections.

Nothing leaves loopback. Qt-free and kind-free: each kind brings its ``DemoProvider``; the
window and the audit command only receive ``Connection``s. A kind whose emulator cannot run
here (Azurite without Node.js) is listed in ``unavailable`` with the reason, and the demo goes
on with the others.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.kinds import DemoProvider, DemoUnavailable, ServiceKind

log = logging.getLogger(__name__)


class DemoEnvironment:
    """Start with ``connections()`` (an async iterator, one connection per kind as it comes
    up); stop with ``stop()``."""

    def __init__(self, kinds: Sequence[ServiceKind], workdir: Path | None = None, *,
                 seed: bool = True) -> None:
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="vaultbrowser-demo-"))
        self.kinds = tuple(kinds)
        self.seed = seed
        self.unavailable: dict[str, str] = {}  # kind name → why its demo cannot start here
        self._started: list[DemoProvider] = []
        self._stopped = False

    async def connections(self, status: Callable[[str], None] = lambda _text: None,
                          ) -> AsyncIterator[Connection]:
        """Start each kind's emulator in turn; ``status`` hears what is starting."""
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
        """Stop every emulator started, the last first."""
        self._stopped = True
        while self._started:
            provider = self._started.pop()
            with contextlib.suppress(Exception):
                await provider.stop()

    async def start_all(self, status: Callable[[str], None] = lambda _text: None,
                        ) -> list[Connection]:
        """Every kind's demo connection (those that could start)."""
        return [connection async for connection in self.connections(status)]



