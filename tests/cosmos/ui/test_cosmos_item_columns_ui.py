"""The Cosmos DB table's header: every column shown has a title (no blank spare columns with
the account or a database selected), and the property columns are the followed container's
(the one last opened or selected), each container keeping its own choice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.cosmos.conftest import SeededContainer
from tests.cosmos.ui.cosmos_window import CosmosWindow
from tests.screenshots import colour_scheme, save_screenshot
from vaultbrowser.emulators.cosmos_server import CosmosServer


def visible_titles(h: CosmosWindow) -> list[str]:
    header = h.pane.view.horizontalHeader()
    return [h.model.headerData(c, Qt.Orientation.Horizontal) for c in range(
        h.model.columnCount()) if not header.isSectionHidden(c)]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_blank_column_with_the_account_or_a_database_selected(
        qloop: Any, qapp: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer], scheme: str, tmp_path: Path) -> None:
    seeded = seed(5)
    h = cosmos_window
    with colour_scheme(scheme) as app:
        async def run() -> None:
            root = await h.connect(cosmos_server)
            h.window.reveal(h.pane, root)  # the account selected (its details shown already)
            assert h.pane.selected_source_index() == root
            assert visible_titles(h) == ["id", "Partition key"]
            database = await h.child(root, seeded.database)
            h.pane.view.expand(h.pane.proxy.mapFromSource(root))
            await h.select(database)
            assert visible_titles(h) == ["id", "Partition key"]
            # a container's items: its one common property, and still no blank column
            container = await h.child(database, "items", all_pages=False)
            await h.first_page(container)
            h.pane.view.expand(h.pane.proxy.mapFromSource(database))
            h.pane.view.expand(h.pane.proxy.mapFromSource(container))
            assert h.pane.selected_source_index() == database  # still the database
        qloop.run_until_complete(run())
        h.window.resize(1280, 800)
        app.processEvents()
        assert visible_titles(h) == ["id", "Partition key", "n"]
        assert "" not in [action.text() for action in h.pane.columns.build_menu().actions()
                          if not action.isSeparator()]
        save_screenshot(h.window, "cosmos-database-selected", scheme, tmp_path)
    assert not h.errors


def test_each_container_keeps_its_columns_and_the_selection_picks_whose(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    with_n = seed(3)  # items {id, pk, n}: n is a column
    keyed_by_n = seed(3, key_path="/n")  # n is the partition key: no property column
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        assert not h.view.columns_button.isEnabled()  # no container's items yet
        first = await h.container(root, with_n.database, "items")
        await h.first_page(first)
        assert h.view.columns_button.isEnabled()
        assert with_n.database in h.view.columns_button.toolTip()
        h.view.columns_button.apply("n, pk, id, extra")  # pk and id have their columns
        assert h.model.property_columns == ("n", "extra")
        second = await h.container(root, keyed_by_n.database, "items")
        await h.first_page(second)  # opened: the table follows it
        assert h.model.property_columns == ()
        assert keyed_by_n.database in h.view.columns_button.toolTip()
        assert visible_titles(h) == ["id", "Partition key"]
        await h.select(h.model.index(0, 0, first))  # an item of the first container
        assert h.model.property_columns == ("n", "extra")
        assert visible_titles(h) == ["id", "Partition key", "n", "extra"]
        assert h.model.index(0, 2, first).data() == str(
            h.model.record_of(h.model.index(0, 0, first)).document["n"])
        await h.select(await h.child(root, keyed_by_n.database))
        # above containers: the columns stay those of the last container followed
        assert h.model.property_columns == ("n", "extra")
        await h.select(second)
        assert visible_titles(h) == ["id", "Partition key"]
    qloop.run_until_complete(run())
    assert not h.errors
