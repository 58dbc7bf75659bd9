"""The window with the Redis tab, 1280×800, light and dark: it paints (namespaces, the cells
of the rows on screen, a key's details, commands and value). With VAULTBROWSER_SCREENSHOTS=DIR
the pictures are saved there (the README's: resources/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from tests.redis.conftest import RedisProcess
from tests.redis.ui.redis_window import RedisWindow
from vaultbrowser.redis.services.demo.redis_demo import seed_redis_demo


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
             QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
             QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#333333",
             QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f65ca",
             QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Mid: "#8a8a8a",
             QPalette.ColorRole.ToolTipBase: "#333333", QPalette.ColorRole.ToolTipText: "#e6e6e6",
             QPalette.ColorRole.PlaceholderText: "#8a8a8a"}
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return palette


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_redis_tab_paints(qloop: Any, qapp: Any, redis_window: RedisWindow,
                              standalone: RedisProcess, scheme: str, tmp_path: Path) -> None:
    qloop.run_until_complete(seed_redis_demo(standalone.port))
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous = app.palette()
    if scheme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    h = redis_window
    try:
        async def run() -> Any:
            root = await h.connect(standalone.port, name="demo-cache (local redis-server)")
            h.pane.view.expand(h.pane.proxy.mapFromSource(root))
            flags = await h.row(root, "feature-flags")
            await h.listed(flags)
            h.pane.view.expand(h.pane.proxy.mapFromSource(flags))
            cache = await h.row(root, "cache")
            await h.listed(cache)
            h.pane.view.expand(h.pane.proxy.mapFromSource(cache))
            users = await h.row(root, "users")
            h.pane.view.expand(h.pane.proxy.mapFromSource(users))
            await h.select(await h.row(users, "1001"))
            await h.wait_for(lambda: h.viewer.table_model.rowCount() == 4)
            await h.listed(root)
            h.model.rows_in_view([h.model.index(r, 0, root) for r in range(
                h.model.rowCount(root))] + [h.model.index(r, 0, users)
                                            for r in range(h.model.rowCount(users))]
                + [h.model.index(r, 0, flags) for r in range(h.model.rowCount(flags))]
                + [h.model.index(r, 0, cache) for r in range(h.model.rowCount(cache))])
            await h.model.cells.wait_idle()
            return users
        users = qloop.run_until_complete(run())
        h.window.resize(1280, 800)
        app.processEvents()
        picture = h.window.grab()
        assert (picture.width(), picture.height()) == (1280, 800)
        folder = Path(os.environ.get("VAULTBROWSER_SCREENSHOTS", tmp_path))
        name = "demo-redis.png" if scheme == "light" else "demo-redis-dark.png"
        assert picture.save(str(folder / name))
        assert h.model.index(0, 0, users).data() and not h.errors
    finally:
        app.setPalette(previous)
