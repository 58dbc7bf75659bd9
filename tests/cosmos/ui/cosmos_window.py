"""The main window with a Cosmos DB account on the local server, for the UI tests: dialogs
answered by a script, helpers to list, select and wait (``tests/kind_window.py``)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from tests.cosmos.conftest import cosmos_connection
from tests.kind_window import KindWindow
from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.cosmos_server import CosmosServer


class CosmosWindow(KindWindow):
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        super().__init__(window, reporter, "cosmos", "Cosmos DB items")
        self.query = self.view.query

    async def connect(self, server: CosmosServer, *, read_only: bool = False,
                      name: str = "local cosmos") -> QModelIndex:
        return await self.connected(cosmos_connection(server, name=name, read_only=read_only))

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


def section(details: Details, title: str) -> dict[str, str]:
    return dict(next(s for s in details.sections if s.title == title).rows)
