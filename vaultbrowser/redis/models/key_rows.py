"""The records of the Redis tree: a connection's root, and a key's row with its cells.

SCAN gives key names only (``KeyRecord``); a row becomes a ``KeyRow`` whose ``summary`` (type,
TTL, length) is filled later for the rows on screen (``key_cells.KeyCells``) or by the
selection's details. ``shown_from`` cuts the namespace's prefix off the shown name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.redis.services.key_summaries import KeySummary
from vaultbrowser.redis.services.wire.names import display_text

if TYPE_CHECKING:  # redis-py loads when a Redis connection opens, not at start-up
    from vaultbrowser.redis.services.lazy_service import LazyRedisService


@dataclass(frozen=True, eq=False)
class RedisRoot(ConnectionRoot):
    """A Redis connection: a top-level row of the Keys tree (its service opens with the
    first page)."""

    service: LazyRedisService


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One key's row: its name (bytes, as the server has it) and what is known of it."""

    name: bytes
    shown_from: int = 0  # bytes of the name the row leaves out (its namespace's prefix)
    summary: KeySummary | None = None

    @property
    def display(self) -> str:
        """The whole name as safe text (see ``names.display_text``)."""
        return display_text(self.name)

    @property
    def display_name(self) -> str:
        """What the detail pane's title says while the key's details load."""
        return self.display

    @property
    def id(self) -> str:
        """What Copy name copies: the whole name as safe text (never the bytes' repr)."""
        return self.display

    @property
    def shown(self) -> str:
        """The row's text: the name below its namespace (the whole name for the namespace's
        own key, "a:" in "a:")."""
        return display_text(self.name[self.shown_from:] or self.name)


@dataclass(frozen=True, slots=True)
class NamespaceRow:
    """Keys that share ``prefix`` (ending in the delimiter): a folder of the tree, listed
    lazily with SCAN MATCH ``prefix*``."""

    prefix: bytes
    delimiter: bytes

    @property
    def display_name(self) -> str:
        """The whole prefix as safe text ("app:user:")."""
        return display_text(self.prefix)

    @property
    def id(self) -> str:
        """What Copy name copies: the prefix."""
        return self.display_name

    @property
    def shown(self) -> str:
        """The row's text: the last segment ("user")."""
        segment = self.prefix[:-len(self.delimiter)]
        parent_end = segment.rfind(self.delimiter)
        start = parent_end + len(self.delimiter) if parent_end >= 0 else 0
        return display_text(segment[start:])
