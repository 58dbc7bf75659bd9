"""``RowHints``: where an owner was last seen among the flat view's rows.

The flat view needs the row of a node now and then (its parent when a page lands, the status
row whose label changed, the selection after a sort). A dict of every row (id → row) cost about
116 bytes per loaded row, 116 MB for a million (issue 21). Instead a few hints, each checked
against the rows before it is trusted; a miss scans the rows with ``list.index`` (in C: about
14 ms for a million rows on a busy machine), forward from the stale hint first, since rows
mostly move down (pages land above the end, nodes expand above).
"""

from __future__ import annotations

from typing import Any


class RowHints:
    """A bounded id → row cache over a list of rows that the caller owns and changes."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._hints: dict[int, int] = {}

    def row(self, rows: list[Any], owner: Any) -> int:
        """The row of ``owner`` in ``rows``, or -1."""
        hint = self._hints.get(id(owner), 0)
        if hint < len(rows) and rows[hint] is owner:
            return hint
        try:
            row = rows.index(owner, hint)
        except ValueError:
            try:
                row = rows.index(owner, 0, hint)
            except ValueError:
                return -1
        self.remember(owner, row)
        return row

    def remember(self, owner: Any, row: int) -> None:
        if len(self._hints) >= self.limit:
            self._hints.clear()
        self._hints[id(owner)] = row

    def clear(self) -> None:
        self._hints.clear()
