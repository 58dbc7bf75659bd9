"""``ConnectionRoot``: what every tree's top-level row holds (a connection and its service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vaultbrowser.core.services.connections import Connection


@dataclass(frozen=True, eq=False)
class ConnectionRoot:
    connection: Connection
    service: Any

    @property
    def name(self) -> str:
        return self.connection.display_name

    @property
    def label(self) -> str:
        """The row's text: the name with a read-only badge where it applies."""
        return self.name + ("  [read-only]" if self.connection.read_only else "")

    @property
    def tooltip(self) -> str:
        return self.connection.url + (" — read-only: writes are refused before they are sent"
                                       if self.connection.read_only else "")
