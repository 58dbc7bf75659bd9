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
        """The row's text: a read-only badge first (a narrow column cuts the name, never the
        badge), then the name."""
        return ("[read-only]  " if self.connection.read_only else "") + self.name

    @property
    def tooltip(self) -> str:
        return self.connection.url + (" — read-only: writes are refused before they are sent"
                                       if self.connection.read_only else "")
