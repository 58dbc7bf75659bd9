"""The window with the Redis tab, 1280×800, light and dark: it paints (namespaces, the cells
of the rows on screen, a key's details, commands and value). With VAULTBROWSER_SCREENSHOTS=DIR
the pictures are saved there (the README's: resources/screenshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.redis.conftest import RedisProcess
from tests.redis.ui.redis_window import RedisWindow
from tests.screenshots import colour_scheme, save_screenshot
from vaultbrowser.redis.services.demo.redis_demo import seed_redis_demo


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_redis_tab_paints(qloop: Any, qapp: Any, redis_window: RedisWindow,
                              standalone: RedisProcess, scheme: str, tmp_path: Path) -> None:
    qloop.run_until_complete(seed_redis_demo(standalone.port))
    h = redis_window
    with colour_scheme(scheme) as app:
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
        save_screenshot(h.window, "demo-redis", scheme, tmp_path)
        assert h.model.index(0, 0, users).data() and not h.errors
