"""``Node``: one row of a lazy tree — its record, its children, and (when it has children to
fetch) the ``Listing`` that pages them in — and the ``StatusMarker`` that stands for its
trailing status row ("Loading…", "N loaded · more available", an error) in Qt indexes."""

from __future__ import annotations

from typing import Any, Protocol

from vaultbrowser.core.models.listing import Listing, RowStatus


class RowSource(Protocol):
    """A store that builds the record of one of its rows when asked (a listing page held
    column by column): a leaf ``Node`` may hold (source, row) instead of a record."""

    def record_at(self, row: int) -> Any: ...


# A leaf's children: one shared immutable empty sequence (a leaf never gets children).
NO_CHILDREN: Any = ()


class Node:
    """One row of the tree. The root node is invisible and holds the connections.

    Slotted: a tree may hold a million of them (a listing loaded in full), and a per-instance
    ``__dict__`` costs about 40 bytes more per row (tracemalloc). Weak references stay possible
    (the child order caches hold nodes weakly).

    ``record`` is either held, or built on demand from a row of a ``RowSource`` (``Node.leaf``:
    a million loaded blobs are then columns, not a million records); assigning ``record``
    holds the new one. A leaf made by ``Node.leaf`` has no children list of its own."""

    __slots__ = ("__weakref__", "_record", "_row", "children", "lazy", "listing", "parent",
                 "status_label", "status_marker", "status_shown")

    def __init__(self, record: Any, parent: Node | None = None, lazy: bool = False,
                 children: list[Node] | None = None, listing: Listing | None = None) -> None:
        self._record = record
        self._row = -1  # -1: ``_record`` is the record; else a row of the RowSource in it
        self.parent = parent
        self.lazy = lazy  # has children to fetch page by page (then ``listing`` is set)
        self.children: list[Node] = [] if children is None else children
        self.listing = listing  # the paging state of a lazy node's children
        self.status_marker: StatusMarker | None = None
        self.status_shown = False  # whether the status row is currently a row of the model
        self.status_label = ""  # what the status row says; changed only with dataChanged
        if lazy and listing is None:
            self.listing = Listing()

    @classmethod
    def leaf(cls, source: RowSource, row: int, parent: Node) -> Node:
        """A childless row whose record is ``source.record_at(row)``, built when asked."""
        node = cls.__new__(cls)
        node._record, node._row, node.parent, node.lazy = source, row, parent, False
        node.children, node.listing, node.status_marker = NO_CHILDREN, None, None
        node.status_shown, node.status_label = False, ""
        return node

    @property
    def record(self) -> Any:
        row = self._row
        return self._record if row < 0 else self._record.record_at(row)

    @record.setter
    def record(self, record: Any) -> None:
        self._record, self._row = record, -1

    @property
    def row_source(self) -> tuple[Any, int] | None:
        """(source, row) of a leaf whose record is built on demand, else None."""
        return None if self._row < 0 else (self._record, self._row)

    def __repr__(self) -> str:
        return f"Node({self.record!r}, lazy={self.lazy}, children={len(self.children)})"

    @property
    def has_more(self) -> bool:
        return self.listing is not None and self.listing.has_more

    @property
    def listed(self) -> bool:
        """At least one page of its children has landed (False for a leaf)."""
        return self.listing is not None and self.listing.listed

    def status(self) -> RowStatus | None:
        """What the trailing status row shows, or None when there is none."""
        if self.listing is None:
            return None
        return self.listing.status(bool(self.children))

    def row_in_parent(self) -> int:
        assert self.parent is not None
        return self.parent.children.index(self)


class StatusMarker:
    """The internal pointer of a node's status row (a distinct object from the node)."""

    __slots__ = ("__weakref__", "node")

    def __init__(self, node: Node) -> None:
        self.node = node
