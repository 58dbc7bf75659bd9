"""``BlobTreeModel`` over column-backed pages (``compact=True``): a blob row is a leaf whose
record is built on demand, and its cells, sort keys and record are the ones a held record
gives."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from tests.blob.models.test_blob_model_writes import list_all
from tests.blob.services.test_listing_columns import RARE, _chunks
from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.services.listing_columns import BlobColumns
from vaultbrowser.blob.services.listing_expat import read_blob_columns
from vaultbrowser.blob.services.listing_xml import Slicer
from vaultbrowser.blob.services.records import BlobRecord, ContainerRecord
from vaultbrowser.core.models.node_tree import RECORD_ROLE
from vaultbrowser.core.models.tree_node import NO_CHILDREN
from vaultbrowser.core.services.config import PagingSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import Page


class ColumnBlobs:
    """One container whose listing is ``RARE``, handed out as the fast lister's compact page."""

    def __init__(self) -> None:
        self.compact_asked: list[bool] = []

    async def list_containers(self, *, page_size: int, continuation: str | None = None,
                              prefix: str | None = None) -> Page[ContainerRecord]:
        return Page((ContainerRecord("http://acct", "c"),), None, None)

    async def _page(self, compact: bool) -> Page[Any]:
        self.compact_asked.append(compact)
        columns, _ = await read_blob_columns(_chunks(RARE.encode()), "c", Slicer())
        return Page(columns if compact else tuple(columns), None, None)  # type: ignore[arg-type]

    async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                              continuation: str | None = None, compact: bool = False
                              ) -> Page[Any]:
        return await self._page(compact)

    async def list_folder(self, container: str, prefix: str = "", *, page_size: int,
                          continuation: str | None = None, compact: bool = False
                          ) -> Page[Any]:
        return await self._page(compact)


def _listed(qloop: Any, flat: bool) -> tuple[BlobTreeModel, QModelIndex, ColumnBlobs]:
    service = ColumnBlobs()
    model = BlobTreeModel(PagingSettings())
    model.set_flat(flat)
    root = model.add_root(AccountRoot(Connection("blob", "http://acct",
                                                 AuthMethod.LOCAL_EMULATOR), service))

    async def body() -> QModelIndex:
        await list_all(model, root)
        container = model.index(0, 0, root)
        await list_all(model, container)
        return container

    return model, qloop.run_until_complete(body()), service


def test_leaf_cells_and_sort_keys_are_the_records(qloop: Any, qtmodeltester: Any) -> None:
    for flat in (True, False):
        model, container, service = _listed(qloop, flat)
        assert service.compact_asked == [True]
        qtmodeltester.check(model)
        node = model.node_of(container)
        leaves = [child for child in node.children if child.row_source is not None]
        assert len(leaves) == 4 and len(node.children) == 5  # a folder, then four blobs
        for leaf in leaves:
            page, row = leaf.row_source
            assert isinstance(page, BlobColumns) and leaf.record == page.blob(row)
            assert leaf.children is NO_CHILDREN and not leaf.lazy and leaf.listing is None
            index = model.index(node.children.index(leaf), 0, container)
            assert isinstance(index.data(RECORD_ROLE), BlobRecord)
            for column in range(model.columnCount()):
                shown = model.display(leaf.record, column)
                assert model.node_data(leaf, column, Qt.ItemDataRole.DisplayRole) == shown
                assert model.sort_key(leaf, column) == model.sort_value(leaf.record, column)


def test_a_written_leaf_holds_its_new_record(qloop: Any) -> None:
    model, container, _ = _listed(qloop, True)
    leaf = model.node_of(container).children[1]
    index = model.index(1, 0, container)
    renamed = dataclasses.replace(leaf.record, size=4242)
    model.update_record(index, renamed)
    assert leaf.row_source is None and leaf.record is renamed
    assert model.index(1, 1, container).data() == model.display(renamed, 1)


def test_refresh_and_removal_release_leaves(qloop: Any) -> None:
    model, container, service = _listed(qloop, True)
    model.remove_record(model.index(2, 0, container))
    assert model.rowCount(container) == 4

    async def again() -> None:
        model.refresh(container)
        await model.wait_idle()

    qloop.run_until_complete(again())
    assert model.rowCount(container) == 5 and service.compact_asked == [True, True]
