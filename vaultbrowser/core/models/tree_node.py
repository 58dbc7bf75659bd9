"""``Node``: one row of a lazy tree — its record, its children, and (when it has children to
fetch) the ``Listing`` that pages them in — and the ``StatusMarker`` that stands for its
trailing status row ("Loading…", "N loaded · more available", an error) in Qt indexes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vaultbrowser.core.models.listing import Listing, RowStatus


@dataclass(eq=False, slots=True, weakref_slot=True)
class Node:
    """One row of the tree. The root node is invisible and holds the connections.

    Slotted: a tree may hold a million of them (a listing loaded in full), and a per-instance
    ``__dict__`` costs about 40 bytes more per row (tracemalloc). Weak references stay possible
    (the child order caches hold nodes weakly)."""

    record: Any
    parent: Node | None = None
    lazy: bool = False  # has children to fetch page by page (then ``listing`` is set)
    children: list[Node] = field(default_factory=list)
    listing: Listing | None = None  # the paging state of a lazy node's children
    status_marker: StatusMarker | None = None
    status_shown: bool = False  # whether the status row is currently a row of the model
    status_label: str = ""  # what the status row says; changed only with dataChanged
    sort_keys: dict[int, Any] | None = None  # column → sort key, computed once per record

    def __post_init__(self) -> None:
        if self.lazy and self.listing is None:
            self.listing = Listing()

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
