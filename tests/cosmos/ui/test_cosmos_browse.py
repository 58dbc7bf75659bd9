"""Browsing Cosmos DB in the window against the local server: account → databases →
containers → items paged lazily ("N loaded · more", Load all), the columns chosen from the
first page, an item's JSON and the call's Cosmos headers, a container's details."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from tests.cosmos.conftest import SeededContainer
from tests.cosmos.ui.cosmos_window import CosmosWindow, section
from vaultbrowser.cosmos.models.details import COSMOS_CALL_SECTION, REDACTED
from vaultbrowser.cosmos.models.rows import ItemRow
from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS
from vaultbrowser.emulators.cosmos_server import CosmosServer


def test_items_page_lazily_and_load_all_completes(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(FIRST_PAGE_ITEMS + 700)
    h = cosmos_window
    tabs = [h.window.tabs.tabText(i) for i in range(h.window.tabs.count())]
    assert "Cosmos DB" in tabs

    async def run() -> None:
        root = await h.connect(cosmos_server)
        assert seeded.database in h.names(root)
        database = await h.child(root, seeded.database)
        await h.listed(database)
        assert h.names(database) == ["items"]
        container = await h.child(database, "items")
        assert h.model.index(container.row(), 1, database).data() == "/pk"
        await h.first_page(container)
        assert len(h.names(container)) == FIRST_PAGE_ITEMS
        assert h.status(container) == f"{FIRST_PAGE_ITEMS} loaded · more available"
        # the columns: id, the partition key, then the first page's common properties
        titles = [h.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)]
        assert titles[:3] == ["id", "Partition key", "n"]
        first = h.model.index(0, 0, container)
        assert [h.model.index(0, c, container).data() for c in range(3)] == [
            first.data(), h.model.record_of(first).partition_key_text,
            str(h.model.record_of(first).document["n"])]
        # other columns, chosen: the header and the loaded rows follow (no reset: rows stay)
        h.view.columns_button.apply(" n , missing,n,")
        assert h.model.property_columns == ("n", "missing")
        assert h.model.headerData(3, Qt.Orientation.Horizontal) == "missing"
        assert h.model.index(0, 3, container).data() == ""
        assert h.pane.view.isExpanded(h.pane.proxy.mapFromSource(root))
        h.model.fetchMore(container)  # the next page (larger)
        await h.model.wait_idle()
        assert len(h.names(container)) == FIRST_PAGE_ITEMS + 500
        h.model.load_all(container)
        await h.model.wait_idle()
        assert len(h.names(container)) == seeded.count and h.status(container) is None
        assert h.model.loaded_summary(container) == f"{seeded.count:,} (complete)"
    qloop.run_until_complete(run())
    assert not h.errors


def test_load_all_can_be_cancelled(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(3000)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        # Cancelled as Load all's first page lands, with the next one in flight: the local
        # server pages 3,000 items faster than a poll would catch the listing half done.
        def progressed(_parent: Any, rows: int) -> None:
            if rows > FIRST_PAGE_ITEMS:
                h.model.cancel(container)

        h.model.load_all_progress.connect(progressed)
        h.model.load_all(container)
        await h.model.wait_idle()
        loaded = len(h.names(container))
        assert FIRST_PAGE_ITEMS < loaded < seeded.count
        assert h.status(container) == f"{loaded:,} loaded · more available"
        await asyncio.sleep(0.2)
        assert len(h.names(container)) == loaded  # nothing more arrives
    qloop.run_until_complete(run())
    assert not h.errors


def test_an_item_shows_its_json_and_a_container_its_details(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(5, default_ttl=3600)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        details = await h.select(container)
        shown = section(details, "Container")
        assert shown["Partition key paths"] == "/pk" and shown["Default TTL"] == "3,600 s"
        assert "Throughput" in shown and "Conflict resolution" in shown
        assert section(details, "Indexing policy")["Mode"].lower() == "consistent"
        assert section(details, COSMOS_CALL_SECTION)["Status"].startswith("200")
        await h.listed(container)
        item = h.model.index(2, 0, container)
        details = await h.select(item)
        record = details.record
        assert isinstance(record, ItemRow) and record.id == h.model.record_of(item).id
        number = record.document["n"]
        rows = section(details, "Item")
        assert rows["Partition key"] == f"p{number % 3}" and rows["ETag"] == record.etag
        viewer = h.view.json_viewer
        assert viewer.isVisible() and viewer.document == record.document
        top = [viewer.tree.topLevelItem(i).text(0)
               for i in range(viewer.tree.topLevelItemCount())]
        assert top[:3] == ["id", "pk", "n"]
        assert f'"id": "{record.id}"' in viewer.text.toPlainText()
        # the call: the point read's status and Cosmos headers, the session token never shown
        call = section(details, COSMOS_CALL_SECTION)
        assert call["Status"].startswith("200") and call["Request charge"].endswith(" RU")
        assert call["Activity id"] and call["Continuation"] == "none"
        assert call["Session token"] in (REDACTED, "none")
        assert details.response is not None and details.response.method == "GET"
        session = details.response.header("x-ms-session-token")
        assert session is None or "redacted" in session.lower() or session == "***"
        # a database row: the viewer hides
        await h.select(container.parent())
        assert not viewer.isVisible()
    qloop.run_until_complete(run())
    assert not h.errors
