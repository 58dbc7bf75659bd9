"""``ItemColumns``: which top-level properties the item table shows, chosen per container.

Each container keeps its own choice: the first page's common properties until the user picks
others. The table shows the choice of the container it follows (the one whose first page came
last, or whose row or item the user selected); the header has one set of titles, so items of
another open container show their values of the same properties. Qt-free.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vaultbrowser.cosmos.models.rows import common_properties, shown_apart

# The account's endpoint, the database and the container (two accounts may share names).
ContainerKey = tuple[str, str, str]


class ItemColumns:
    def __init__(self, count: int) -> None:
        self.count = count  # at most this many chosen properties
        self._chosen: dict[ContainerKey | None, tuple[str, ...]] = {}
        self._by_user: set[ContainerKey | None] = set()
        self._key_paths: dict[ContainerKey | None, tuple[str, ...]] = {}
        self.current: ContainerKey | None = None  # None: no container's items seen yet

    @property
    def shown(self) -> tuple[str, ...]:
        """The followed container's properties (none before a container's items)."""
        return self._chosen.get(self.current, ())

    def follow(self, key: ContainerKey, key_paths: Sequence[str]) -> bool:
        """Show ``key``'s choice from now on; True when the container followed or the shown
        properties changed."""
        before = (self.current, self.shown)
        self.current = key
        self._key_paths[key] = tuple(key_paths)
        return (self.current, self.shown) != before

    def choose(self, names: Sequence[str], *, by_user: bool) -> bool:
        """The followed container's properties: blank names, repeats and those with a column
        of their own (id, the partition key's property) dropped, at most ``count``. True when
        the shown properties changed."""
        apart = shown_apart(self._key_paths.get(self.current, ()))
        cleaned = tuple(dict.fromkeys(name.strip() for name in names
                                      if name.strip() and name.strip() not in apart))
        before = self.shown
        self._chosen[self.current] = cleaned[:self.count]
        if by_user:
            self._by_user.add(self.current)
        return self.shown != before

    def offer(self, key: ContainerKey, key_paths: Sequence[str],
              documents: Sequence[Mapping[str, Any]]) -> bool:
        """A container's first page came: follow it, and unless the user chose its columns,
        take the page's common properties. True when the container followed or the shown
        properties changed."""
        before = (self.current, self.shown)
        self.follow(key, key_paths)
        if key not in self._by_user and documents:
            self._chosen[key] = common_properties(documents, key_paths, self.count)
        return (self.current, self.shown) != before
