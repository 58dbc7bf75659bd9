"""The main window with a Cosmos DB account on the local server, for the UI tests: dialogs
answered by a script, helpers to list, select and wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex

from tests.cosmos.conftest import cosmos_connection
from tests.redis.ui.redis_window import ScriptedDialogs
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.cosmos_server import CosmosServer


class CosmosWindow:
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        self.window = window
        self.reporter = reporter
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(self.errors.append)
        self.details: list[Details] = []
        window.details_shown.connect(self.details.append)
        self.dialogs = ScriptedDialogs()
        window.dialogs = self.dialogs
        self.view = window.view("cosmos")
        self.pane = window.show_pane("Cosmos DB items")
        self.model = self.pane.model
        self.query = self.view.query
        self.actions = self.view.actions

    async def connect(self, server: CosmosServer, *, read_only: bool = False,
                      name: str = "local cosmos") -> QModelIndex:
        connection = cosmos_connection(server, name=name, read_only=read_only)
        assert await self.window.open_connection(connection)
        root = self.model.index(self.model.rowCount() - 1, 0)
        await self.listed(root)
        return root

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
            await asyncio.sleep(0.02)

    async def first_page(self, index: QModelIndex) -> None:
        node = self.model.node_of(index)
        if not node.listing.listed and node.listing.task is None:
            self.model.fetchMore(index)
        await self.model.wait_idle()

    async def listed(self, index: QModelIndex) -> None:
        """``index``'s node listed to the end."""
        await self.first_page(index)
        if self.model.canFetchMore(index):
            self.model.load_all(index)
            await self.model.wait_idle()

    def names(self, parent: QModelIndex) -> list[str]:
        return [self.model.index(r, 0, parent).data() for r in range(self.model.rowCount(parent))
                if self.model.index(r, 0, parent).data(STATUS_ROLE) is None]

    def status(self, parent: QModelIndex) -> str | None:
        rows = self.model.rowCount(parent)
        last = self.model.index(rows - 1, 0, parent) if rows else QModelIndex()
        return last.data() if last.isValid() and last.data(STATUS_ROLE) is not None else None

    async def child(self, parent: QModelIndex, text: str, *, all_pages: bool = True
                    ) -> QModelIndex:
        if all_pages:
            await self.listed(parent)
        else:
            await self.first_page(parent)
        found = [self.model.index(r, 0, parent) for r in range(self.model.rowCount(parent))
                 if self.model.index(r, 0, parent).data() == text]
        assert found, f"{text!r} not in {self.names(parent)[:20]}"
        return found[0]

    async def container(self, root: QModelIndex, database: str, container: str
                        ) -> QModelIndex:
        return await self.child(await self.child(root, database), container)

    async def select(self, index: QModelIndex, pane: Any = None) -> Details:
        """Select a row as a click would; its details once loaded."""
        pane = pane or self.pane
        before = len(self.details)
        if pane is self.pane:
            self.window.reveal(pane, index)
        else:
            pane.select_source(index)
        await self.wait_for(lambda: len(self.details) > before)
        return self.details[-1]

    async def trigger(self, action: Any) -> Any:
        assert action.isEnabled(), action.toolTip()
        before = self.actions.last_task
        action.trigger()
        task = self.actions.last_task
        assert task is not None and task is not before, "the action started no task"
        result = await task
        await asyncio.sleep(0.05)
        await self.model.wait_idle()
        return result

    def refresh_actions(self) -> None:
        self.actions.actions_for(self.pane.selected_source_index())


def section(details: Details, title: str) -> dict[str, str]:
    return dict(next(s for s in details.sections if s.title == title).rows)
