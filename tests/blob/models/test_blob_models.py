"""The Blob tree model against Azurite, inside a live qasync loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from PySide6.QtCore import QModelIndex

from tests.blob.services.blob_seed import BIG_BLOB_CONTAINER, BIG_BLOB_COUNT
from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import PagingSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession

TREE_CONTAINER = "model-tree"
TREE = ["readme.md", "docs/a.txt", "docs/b.txt", "docs/deep/c.txt", "img/logo.png"] + [
    f"many/file-{i:03d}.txt" for i in range(30)
]


@pytest.fixture(scope="module")
def tree_container(azurite: Any) -> str:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        container = client.create_container(TREE_CONTAINER)
        for name in TREE:
            container.upload_blob(name, name.encode())
    return TREE_CONTAINER


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def account(azurite: Any, session: ServiceSession) -> AccountRoot:
    connection = Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR)
    return AccountRoot(connection, open_storage(session, connection))


def child(model: BlobTreeModel, parent: QModelIndex, name: str) -> QModelIndex:
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == name:
            return index
    rows = [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]
    raise AssertionError(f"{name!r} not under {parent.data()!r}: {rows}")


def test_account_containers_folders_and_blobs(qloop: Any, qtmodeltester: Any, azurite: Any,
                                              tree_container: str,
                                              session: ServiceSession) -> None:
    async def body() -> None:
        model = BlobTreeModel(PagingSettings(first_page_blobs=10, next_page_blobs=50))
        pages: dict[str, list[int]] = {}
        model.page_loaded.connect(
            lambda parent, count: pages.setdefault(parent.data(), []).append(count))
        qtmodeltester.check(model)
        root = model.add_root(account(azurite, session))
        model.fetchMore(root)
        await model.wait_idle()
        while model.canFetchMore(root):
            model.fetchMore(root)
            await model.wait_idle()
        container = child(model, root, TREE_CONTAINER)
        assert isinstance(model.record_of(container), ContainerRecord)
        model.fetchMore(container)
        await model.wait_idle()
        names = [model.index(r, 0, container).data() for r in range(model.rowCount(container))]
        # One level: folders (with a trailing "/") and the blob at the root.
        assert names == ["docs/", "img/", "many/", "readme.md"]
        docs = child(model, container, "docs/")
        assert isinstance(model.record_of(docs), BlobPrefixRecord) and model.hasChildren(docs)
        model.fetchMore(docs)
        await model.wait_idle()
        assert [model.index(r, 0, docs).data() for r in range(model.rowCount(docs))] == [
            "deep/", "a.txt", "b.txt"]
        blob = child(model, docs, "a.txt")
        record = model.record_of(blob)
        assert isinstance(record, BlobRecord) and record.name == "docs/a.txt"
        assert model.index(blob.row(), 1, docs).data() == "10 B"  # its content is its name
        assert not model.hasChildren(blob)
        # A small first page (10), then larger ones (50) for the 30-file folder. The live
        # model tester pages on by itself, like a view, so count the pages as they land.
        many = child(model, container, "many/")
        model.fetchMore(many)
        await model.wait_idle()
        if model.rowCount(many) == 11:
            assert model.index(10, 0, many).data(STATUS_ROLE) is RowStatus.MORE
            model.fetchMore(many)
            await model.wait_idle()
        assert pages["many/"] == [10, 20] and model.rowCount(many) == 30

    qloop.run_until_complete(body())


def test_flat_mode_lists_full_names(qloop: Any, azurite: Any, tree_container: str,
                                    session: ServiceSession) -> None:
    async def body() -> None:
        model = BlobTreeModel(PagingSettings(first_page_blobs=100, next_page_blobs=100))
        root = model.add_root(account(azurite, session))
        model.fetchMore(root)
        await model.wait_idle()
        while model.canFetchMore(root):
            model.fetchMore(root)
            await model.wait_idle()
        container = child(model, root, TREE_CONTAINER)
        model.fetchMore(container)
        await model.wait_idle()
        model.set_flat(True)  # listed containers reload in flat mode
        await model.wait_idle()
        names = [model.index(r, 0, container).data() for r in range(model.rowCount(container))]
        assert names == sorted(TREE)

    qloop.run_until_complete(body())


def test_load_all_of_twenty_thousand_blobs(qloop: Any, azurite: Any, big_container: int,
                                           session: ServiceSession) -> None:
    async def body() -> tuple[int, list[int], float]:
        model = BlobTreeModel()  # the app's paging: 100 first, then 2,000 per page
        model.set_flat(True)
        root = model.add_root(account(azurite, session))
        model.load_all(root)
        await model.wait_idle()
        container = child(model, root, BIG_BLOB_CONTAINER)
        progress: list[int] = []
        model.load_all_progress.connect(lambda _i, count: progress.append(count))
        start = time.perf_counter()
        model.load_all(container)
        await model.wait_idle()
        return model.rowCount(container), progress, time.perf_counter() - start

    rows, progress, elapsed = qloop.run_until_complete(body())
    assert rows == BIG_BLOB_COUNT == big_container  # complete: no status row
    assert progress[0] == 100 and progress[-1] == BIG_BLOB_COUNT
    assert progress == sorted(progress)
    print(f"\n[blob-model] Load all of {rows} blobs: {elapsed:.1f} s in {len(progress)} pages")


def test_load_all_asks_for_the_largest_pages(qloop: Any, azurite: Any, tree_container: str,
                                             session: ServiceSession) -> None:
    """Scrolling pages by ``next_page_blobs``; "Load all" by ``load_all_page_blobs``."""
    async def body() -> None:
        model = BlobTreeModel(PagingSettings(first_page_blobs=4, next_page_blobs=5,
                                             load_all_page_blobs=20))
        sizes: list[int] = []
        model.page_loaded.connect(lambda _parent, count: sizes.append(count))
        root = model.add_root(account(azurite, session))
        model.fetchMore(root)
        await model.wait_idle()
        while model.canFetchMore(root):
            model.fetchMore(root)
            await model.wait_idle()
        container = child(model, root, TREE_CONTAINER)
        model.fetchMore(container)
        await model.wait_idle()
        many = child(model, container, "many/")
        sizes.clear()
        model.fetchMore(many)
        await model.wait_idle()
        model.fetchMore(many)
        await model.wait_idle()
        model.load_all(many)
        await model.wait_idle()
        assert sizes == [4, 5, 20, 1]  # 30 files: first, next, then Load all's pages

    qloop.run_until_complete(body())
