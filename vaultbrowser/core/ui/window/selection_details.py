"""Selection → details: the detail pane follows the current tab's selection. A connection's
own row is described from what the window knows (no call); any other row gets its own GET,
so the pane shows the status line and headers of exactly that call."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex

from vaultbrowser.core.models.details import Details, DetailSection
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.ui.window.context import KindView


def with_contents(details: Details, view: KindView, model: LazyTreeModel, node: Node
                  ) -> Details:
    """``details`` plus, for a listed row (a vault, a container, a folder, an item's
    versions), a summary of what is loaded below it ("Contents: 120 loaded · more available",
    counts by state, sizes)."""
    if node.listing is None or not node.listing.listed:
        return details
    loaded = model.loaded_summary(model.index_of(node))
    rows = (("Loaded", loaded), *view.contents_rows([child.record for child in node.children]))
    title = f"Contents ({model.noun(node)})"
    return replace(details, sections=(*details.sections, DetailSection(title, rows)))


class SelectionDetails:
    """``window`` is the ``MainWindow`` (this module does not import it)."""

    def __init__(self, window: Any) -> None:
        self._window = window
        self._task: asyncio.Task[Any] | None = None

    def show(self, record: Any, source: QModelIndex) -> None:
        window = self._window
        pane = window.detail_pane
        pane.hide_value()
        if self._task is not None:
            self._task.cancel()
        model = source.model()
        assert isinstance(model, LazyTreeModel)
        view = window.view_of_pane(window.pane_of(model))
        node = model.node_of(source)
        owner = node
        while owner.parent is not None and owner.parent.parent is not None:
            owner = owner.parent
        if owner is node:  # a connection's own row: what the window knows, no call
            response = node.listing.last_response if node.listing is not None else None
            pane.show_details(with_contents(view.describe(record, response), view, model, node))
            return
        title = getattr(record, "display_name", None) or getattr(record, "name", str(record))
        pane.show_loading(title)
        self._task = window.run_task(self._load(view, record, owner.record, model, node))

    async def _load(self, view: KindView, record: Any, root: Any, model: LazyTreeModel,
                    node: Node) -> None:
        window = self._window
        try:
            details = await view.load_details(record, root)
        except VaultBrowserError as error:
            window.detail_pane.show_failure(getattr(record, "name", ""), error)
            raise
        view.details_loaded(model, node, record, details)
        details = with_contents(details, view, model, node)
        window.detail_pane.show_details(details)
        window.details_shown.emit(details)
