"""The window with the Cosmos DB tab, 1280×800, light and dark: it paints (the tree with the
orders' columns, an item's JSON and Cosmos headers, the query panel with its results and
request charge). With VAULTBROWSER_SCREENSHOTS=DIR the pictures are saved there (the README's:
resources/screenshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.cosmos.ui.cosmos_window import CosmosWindow
from tests.screenshots import colour_scheme, save_screenshot
from vaultbrowser.cosmos.services.demo.cosmos_demo import seed_cosmos_demo
from vaultbrowser.emulators.cosmos_server import CosmosServer

_SEEDED: set[int] = set()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_cosmos_tab_paints(qloop: Any, qapp: Any, cosmos_window: CosmosWindow,
                               cosmos_server: CosmosServer, scheme: str,
                               tmp_path: Path) -> None:
    if cosmos_server.port not in _SEEDED:  # the demo's data, once per server
        qloop.run_until_complete(seed_cosmos_demo(cosmos_server.endpoint,
                                                  str(cosmos_server.ca_path)))
        _SEEDED.add(cosmos_server.port)
    h = cosmos_window
    with colour_scheme(scheme) as app:
        async def run() -> None:
            root = await h.connect(cosmos_server, name="demo-shop (local Cosmos DB server)")
            view = h.pane.view
            view.expand(h.pane.proxy.mapFromSource(root))
            shop = await h.child(root, "shop")
            await h.listed(shop)
            view.expand(h.pane.proxy.mapFromSource(shop))
            orders = await h.child(shop, "orders", all_pages=False)
            await h.first_page(orders)
            view.expand(h.pane.proxy.mapFromSource(orders))
            await h.select(h.model.index(3, 0, orders))
            h.query.editor.setPlainText(
                "SELECT c.id, c.customerId, c.status, c.total FROM c\n"
                "WHERE c.status = @status AND c.total > @min")
            h.query.add_parameter("@status", '"shipped"')
            h.query.add_parameter("@min", "500")
            h.query.run_query()
            await h.query.results.wait_idle()
            h.query.dock.raise_()
        qloop.run_until_complete(run())
        h.window.resize(1280, 800)
        h.window.resizeDocks([h.query.dock], [270], Qt.Orientation.Vertical)
        app.processEvents()
        save_screenshot(h.window, "demo-cosmos", scheme, tmp_path)
        assert h.view.json_viewer.isVisible() and not h.errors
