"""The Blob tree's rows over a column-backed listing page (``listing_columns.BlobColumns``):
the page's leaf nodes, and their cells' text and sort keys read from the columns, the same
values ``BlobTreeModel.display`` / ``sort_value`` give for the built record.

Why: a view asks per painted cell, the filter per row and a sort per row; building a
40-field record for each would cost more than the text (a million rows sorted or filtered).
Rare rows (deleted, a tier column) take their record (``record_at`` remembers the last few).
"""

from __future__ import annotations

from collections.abc import Sequence

from vaultbrowser.blob.models.tier_text import tier_cell
from vaultbrowser.blob.services.listing_columns import ROW_NUMBERS, BlobColumns
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.tree_node import Node


def leaf_nodes(parent: Node, page: BlobColumns) -> list[Node]:
    """The page's rows under ``parent``: its folders (lazy nodes), then one leaf per blob."""
    nodes = [Node(record=prefix, parent=parent, lazy=True) for prefix in page.prefixes]
    count = page.blob_count
    rows: Sequence[int] = ROW_NUMBERS[:count] if count <= len(ROW_NUMBERS) else range(count)
    leaf = Node.leaf
    nodes.extend([leaf(page, row, parent) for row in rows])
    return nodes


def leaf_text(page: BlobColumns, row: int, column: int, flat: bool) -> str | None:
    """The display text of a blob row's cell (``BlobTreeModel.display`` of its record)."""
    if column == 0:
        name = page.name(row)
        if not flat and not name.endswith("/"):
            name = name.rsplit("/", 1)[-1]
        shown = fmt.visible_name(name)
        return f"{shown}  (deleted)" if page.is_deleted(row) else shown
    if column == 1:
        return fmt.size(page.size(row))
    if column == 2:
        return page.shape(row)["content_type"] or ""
    if column == 3:
        return page.shape(row)["blob_type"] or ""
    if column == 4:
        return tier_cell(page.record_at(row))
    if column == 5:
        record = page.record_at(row) if page.is_deleted(row) else None
        if record is not None:
            return f"deleted {fmt.when(record.deleted_on)}".strip()
        return fmt.when(page.blob_modified(row))
    return ""


def leaf_sort_key(page: BlobColumns, row: int, column: int, flat: bool) -> tuple[int, object]:
    """``BlobTreeModel.sort_value`` of a blob row (blobs after folders: the leading 1)."""
    if column == 1:
        return (1, page.size(row) or 0)
    if column == 5:
        stamp = page.modified_stamp(row)
        return (1, 0.0 if stamp != stamp else stamp)  # NaN: no date
    text = leaf_text(page, row, column, flat) or ""
    return (1, text.lower())
