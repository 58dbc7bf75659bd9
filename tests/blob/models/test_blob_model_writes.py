"""``BlobTreeModel`` after writes and with soft-deleted blobs shown, over an in-memory service
(Azurite does not implement blob soft delete)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tones import Tone, tone_colour
from vaultbrowser.core.services.config import PagingSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import Page

DELETED_ON = datetime(2031, 5, 6, 7, 8, tzinfo=UTC)


class FakeBlobs:
    """Listings of a dict of containers → live blob names, plus deleted blob names; pages of
    ``page_size`` with integer continuation tokens, like the service (one level with "/")."""

    def __init__(self, containers: dict[str, list[str]], deleted: dict[str, list[str]]) -> None:
        self.containers = containers
        self.deleted = deleted
        self.calls: list[tuple[str, str, str | None]] = []
        self.deletes = self  # BlobService lists deleted blobs through its ``deletes`` part

    @staticmethod
    def _page(items: list[Any], page_size: int, continuation: str | None) -> Page[Any]:
        start = int(continuation or 0)
        end = start + page_size
        return Page(tuple(items[start:end]), str(end) if end < len(items) else None, None)

    async def list_containers(self, *, page_size: int, continuation: str | None = None,
                              prefix: str | None = None) -> Page[ContainerRecord]:
        records = [ContainerRecord("http://acct", name) for name in sorted(self.containers)]
        return self._page(records, page_size, continuation)

    async def list_folder(self, container: str, prefix: str = "", *, page_size: int,
                          continuation: str | None = None, compact: bool = False
                          ) -> Page[Any]:
        self.calls.append(("live", prefix, continuation))
        await asyncio.sleep(0)
        folders: list[str] = []
        blobs: list[BlobRecord] = []
        for name in sorted(self.containers[container]):
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix):]
            if "/" in rest:
                folder = prefix + rest.split("/", 1)[0] + "/"
                if folder not in folders:
                    folders.append(folder)
            else:
                blobs.append(BlobRecord(container, name, size=1))
        items = [BlobPrefixRecord(container, f) for f in folders] + blobs
        return self._page(items, page_size, continuation)

    async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                              continuation: str | None = None, compact: bool = False
                              ) -> Page[BlobRecord]:
        self.calls.append(("flat", prefix, continuation))
        items = [BlobRecord(container, n, size=1) for n in sorted(self.containers[container])
                 if n.startswith(prefix)]
        return self._page(items, page_size, continuation)

    async def list_deleted_blobs(self, container: str, prefix: str | None = None, *,
                                 page_size: int, continuation: str | None = None
                                 ) -> Page[BlobRecord]:
        self.calls.append(("deleted", prefix or "", continuation))
        await asyncio.sleep(0)
        items = [BlobRecord(container, n, size=2, deleted=True, deleted_on=DELETED_ON,
                            remaining_retention_days=6)
                 for n in sorted(self.deleted.get(container, [])) if n.startswith(prefix or "")]
        return self._page(items, page_size, continuation)


def make_model(service: FakeBlobs, page: int = 100) -> tuple[BlobTreeModel, QModelIndex]:
    model = BlobTreeModel(PagingSettings(first_page_blobs=page, next_page_blobs=page))
    connection = Connection("blob", "http://acct", AuthMethod.LOCAL_EMULATOR)
    root = model.add_root(AccountRoot(connection, service))
    return model, root


async def list_all(model: BlobTreeModel, index: QModelIndex) -> None:
    model.fetchMore(index)
    await model.wait_idle()
    while model.canFetchMore(index):
        model.fetchMore(index)
        await model.wait_idle()


def rows(model: BlobTreeModel, parent: QModelIndex) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def child(model: BlobTreeModel, parent: QModelIndex, text: str) -> QModelIndex:
    for r in range(model.rowCount(parent)):
        if model.index(r, 0, parent).data() == text:
            return model.index(r, 0, parent)
    raise AssertionError(f"{text!r} not in {rows(model, parent)}")


def test_insert_record_puts_a_new_container_in_name_order(qloop: Any,
                                                          qtmodeltester: Any) -> None:
    async def body() -> None:
        service = FakeBlobs({"beta": [], "delta": []}, {})
        model, root = make_model(service)
        qtmodeltester.check(model)
        # Not listed yet: nothing is inserted (the listing will bring it).
        assert not model.insert_record(root, ContainerRecord("http://acct", "alpha")).isValid()
        await list_all(model, root)
        assert rows(model, root) == ["beta", "delta"]
        index = model.insert_record(root, ContainerRecord("http://acct", "charlie"))
        assert index.data() == "charlie" and rows(model, root) == ["beta", "charlie", "delta"]
        assert model.insert_record(root, ContainerRecord("http://acct", "charlie")) == index
        assert model.hasChildren(index)  # a container lists lazily like a listed one

    qloop.run_until_complete(body())


def test_insert_into_an_empty_listing_removes_its_status_row(qloop: Any) -> None:
    async def body() -> None:
        model, root = make_model(FakeBlobs({}, {}))
        await list_all(model, root)
        assert model.index(0, 0, root).data(STATUS_ROLE) is RowStatus.EMPTY
        model.insert_record(root, ContainerRecord("http://acct", "first"))
        assert rows(model, root) == ["first"]

    qloop.run_until_complete(body())


def test_insert_after_the_loaded_page_waits_for_its_page(qloop: Any) -> None:
    async def body() -> None:
        model, root = make_model(FakeBlobs({"a1": [], "a2": [], "a3": []}, {}), page=2)
        model.fetchMore(root)
        await model.wait_idle()
        assert rows(model, root)[:2] == ["a1", "a2"]  # then "more available"
        assert not model.insert_record(root, ContainerRecord("http://acct", "zz")).isValid()
        assert model.insert_record(root, ContainerRecord("http://acct", "a0")).data() == "a0"

    qloop.run_until_complete(body())


def test_show_deleted_lists_deleted_blobs_after_the_live_rows(qloop: Any,
                                                              qtmodeltester: Any) -> None:
    async def body() -> None:
        service = FakeBlobs(
            {"c": ["docs/a.txt", "keep.txt", "z.txt"]},
            {"c": ["docs/old.txt", "gone.txt", "only-deleted/deep/x.txt", "keep.txt"]})
        model, root = make_model(service, page=2)
        qtmodeltester.check(model)
        await list_all(model, root)
        container = child(model, root, "c")
        await list_all(model, container)
        assert rows(model, container) == ["docs/", "keep.txt", "z.txt"]
        assert not any(kind == "deleted" for kind, _p, _c in service.calls)

        model.set_show_deleted(True)  # the listed container lists again
        await model.wait_idle()
        await list_all(model, container)
        assert rows(model, container) == [
            "docs/", "keep.txt", "z.txt",  # live first
            "gone.txt  (deleted)", "keep.txt  (deleted)", "only-deleted/"]
        top = [c for c in service.calls if c[0] == "deleted" and c[1] == ""]
        assert top == [("deleted", "", None), ("deleted", "", "2")]  # paged, from the start
        gone = child(model, container, "gone.txt  (deleted)")
        assert model.record_of(gone).deleted
        assert model.data(gone, Qt.ItemDataRole.ForegroundRole).color() == tone_colour(Tone.MUTED)
        assert model.index(gone.row(), 5, container).data().startswith("deleted 2031-05-0")
        tooltip = model.data(gone, Qt.ItemDataRole.ToolTipRole)
        assert "Soft-deleted on 2031-05-06 07:08:00 UTC" in tooltip and "6 day(s)" in tooltip
        # A folder that holds only deleted blobs is a folder row; inside it, the same rule.
        only = child(model, container, "only-deleted/")
        await list_all(model, only)
        assert rows(model, only) == ["deep/"]
        docs = child(model, container, "docs/")
        await list_all(model, docs)
        assert rows(model, docs) == ["a.txt", "old.txt  (deleted)"]
        assert model.loaded_summary(docs) == "2 (complete)"

        model.set_show_deleted(False)
        await model.wait_idle()
        await list_all(model, container)
        assert rows(model, container) == ["docs/", "keep.txt", "z.txt"]

    qloop.run_until_complete(body())


def test_show_deleted_in_flat_mode_lists_full_names(qloop: Any) -> None:
    async def body() -> None:
        service = FakeBlobs({"c": ["a/b.txt"]}, {"c": ["a/old.txt", "x/y/z.txt"]})
        model, root = make_model(service)
        model.set_flat(True)
        model.set_show_deleted(True)
        await list_all(model, root)
        container = child(model, root, "c")
        await list_all(model, container)
        assert rows(model, container) == ["a/b.txt", "a/old.txt  (deleted)",
                                          "x/y/z.txt  (deleted)"]

    qloop.run_until_complete(body())
