"""``BlobSearchTool``: the blob search dock (Ctrl+Shift+F) over the Blobs tree's selection.

It keeps the scope (account, container, folder), runs each search as a window task (typed
errors reach the error dialog; bad input is said in the panel before any request), cancels the
previous query when a new one starts, and makes results behave like tree rows: selecting one
shows its details (its own GET), Enter shows it in the tree, where every row action applies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QToolButton

from vaultbrowser.blob.models import details as blob_details
from vaultbrowser.blob.models.blob_tree import AccountRoot, BlobTreeModel
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.blob.services.search.blob_search import BlobSearch
from vaultbrowser.blob.services.search.deep_search import DeepSearch, SearchProgress
from vaultbrowser.blob.services.search.tag_filter import parse_tag_filter
from vaultbrowser.blob.ui.search.search_panel import DEEP, PREFIX, TAGS, SearchPanel
from vaultbrowser.core.services.errors import InvalidInput, NotFound
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext

TYPE_AHEAD_MS = 250
FIRST_PAGE, LATER_PAGE = 100, 1000
SHORTCUT = "Ctrl+Shift+F"


@dataclass(frozen=True)
class SearchScope:
    root: AccountRoot
    container: str | None  # None: the whole account (tag search only)
    folder: str = ""  # "" or a prefix ending with "/"

    def text(self) -> str:
        if self.container is None:
            return f"Searching account {self.root.name}"
        return f"Searching {self.container}/{self.folder} in {self.root.name}"


class BlobSearchTool(QObject):
    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, BlobTreeModel)
        self.model = model
        self.panel = SearchPanel()
        self.dock = QDockWidget("Search blobs", window)  # type: ignore[arg-type]
        self.dock.setObjectName("blob-search")
        self.dock.setWidget(self.panel)
        window.add_panel(self.dock)
        self.scope: SearchScope | None = None
        self.task: asyncio.Task[Any] | None = None  # the query in flight
        self.deep_search: DeepSearch | None = None
        self._next_page: Callable[[str | None], Awaitable[Page[Any]]] | None = None
        self._continuation: str | None = None
        self._details_task: asyncio.Task[Any] | None = None  # the selected result's GET

        self.open_action = QAction("Search blobs…", self)
        self.open_action.setShortcut(QKeySequence(SHORTCUT))
        self.open_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.open_action.setToolTip(f"Search the selected container or folder on the server: "
                                    f"by prefix, deep (pattern, size, date) or by index tags "
                                    f"({SHORTCUT})")
        self.open_action.triggered.connect(self.open)
        pane.addAction(self.open_action)  # the shortcut, on any row of the tab
        pane.action_providers.append(self._menu_actions)
        self.open_button = QToolButton()
        self.open_button.setDefaultAction(self.open_action)
        self.open_button.setText("Search…")
        pane.add_top_widget(self.open_button)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPE_AHEAD_MS)
        self._timer.timeout.connect(self.search)
        panel = self.panel
        panel.query_edit.textEdited.connect(self._on_typed)
        panel.query_edit.returnPressed.connect(self.search)
        panel.search_button.clicked.connect(self.search)
        panel.cancel_button.clicked.connect(self.cancel)
        panel.resume_button.clicked.connect(self.resume)
        panel.more_button.clicked.connect(self.more)
        panel.use_selection_button.clicked.connect(self.use_selection)
        panel.flat_check.toggled.connect(lambda _on: self._restart_prefix())
        panel.mode_combo.currentIndexChanged.connect(lambda _i: self._mode_changed())
        panel.view.activated.connect(self._on_activated)
        panel.view.selectionModel().currentRowChanged.connect(self._on_current)
        panel.view.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.show_in_tree_action = QAction("Show in tree", panel.view)
        self.show_in_tree_action.setToolTip("Select the result in the Blobs tree, where "
                                            "download, delete and the other actions apply "
                                            "(Enter)")
        self.show_in_tree_action.triggered.connect(
            lambda: self._on_activated(panel.view.currentIndex()))
        panel.view.addAction(self.show_in_tree_action)
        panel.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    # --- scope and opening ---------------------------------------------------------------

    def open(self) -> None:
        """Show the dock over the tree's selection and put the cursor in the query box."""
        self.use_selection()
        self.dock.show()
        self.dock.raise_()
        self.panel.query_edit.setFocus()
        self.panel.query_edit.selectAll()

    def _menu_actions(self, index: QModelIndex) -> list[QAction | None]:
        """In the menus of the rows a search starts from: containers and folders."""
        record = self.model.record_of(index) if index.isValid() else None
        return [self.open_action] if isinstance(record, ContainerRecord | BlobPrefixRecord) else []

    def use_selection(self) -> None:
        index = self.pane.selected_source_index()
        record = self.model.record_of(index) if index.isValid() else None
        root = self.window.root_of(self.model, index) if index.isValid() else None
        if not isinstance(root, AccountRoot):
            return
        if isinstance(record, ContainerRecord):
            self.set_scope(SearchScope(root, record.name))
        elif isinstance(record, BlobPrefixRecord):
            self.set_scope(SearchScope(root, record.container, record.prefix))
        elif isinstance(record, BlobRecord):
            folder = record.name.rsplit("/", 1)[0] + "/" if "/" in record.name else ""
            self.set_scope(SearchScope(root, record.container, folder))
        else:
            self.set_scope(SearchScope(root, None))

    def set_scope(self, scope: SearchScope) -> None:
        self.cancel()
        self.scope = scope
        self._forget_results()
        if scope.container is None and self.panel.mode != TAGS:
            self.panel.set_mode(TAGS)  # the one search that spans an account
        self.panel.scope_label.setText(scope.text())
        self._show_idle("")

    # --- running ---------------------------------------------------------------------------

    def _on_typed(self, _text: str) -> None:
        if self.panel.mode == PREFIX:
            self._timer.start()  # debounced: the query goes 250 ms after the last key
        elif self.panel.mode == TAGS:
            self._check_tags()

    def _mode_changed(self) -> None:
        self.cancel()
        self._forget_results()
        self._show_idle("")
        if self.panel.mode == TAGS:
            self._check_tags()

    def _forget_results(self) -> None:
        """A new scope or mode: no rows, nothing to resume, no next page."""
        self.deep_search = None
        self._next_page, self._continuation = None, None
        self.panel.results.clear()

    def _restart_prefix(self) -> None:
        if self.panel.mode == PREFIX and self.scope is not None:
            self.search()

    def _check_tags(self) -> bool:
        scope = self.scope
        try:
            parse_tag_filter(self.panel.query_edit.text(),
                             account_level=scope is None or scope.container is None)
        except InvalidInput as exc:
            self.panel.show_status(exc.message, problem=True)
            return False
        self.panel.show_status("The filter is valid: Enter searches.")
        return True

    def search(self) -> asyncio.Task[Any] | None:
        """Start the query of the current mode; the previous one is cancelled. None when
        nothing was started (no scope, or input the panel reports as invalid)."""
        self._timer.stop()
        self.cancel()
        scope = self.scope
        panel = self.panel
        if scope is None:
            panel.show_status("Choose where to search: select a container or folder in the "
                              "Blobs tree and press Use selection.", problem=True)
            return None
        if scope.container is None and panel.mode != TAGS:
            panel.show_status("Prefix and deep searches look in one container: select one "
                              "(index tags can search the whole account).", problem=True)
            return None
        panel.results.clear()
        search = BlobSearch(scope.root.service)
        try:
            if panel.mode == DEEP:
                self.deep_search = search.deep(str(scope.container),
                                               panel.deep_criteria(scope.folder))
                return self.resume()
            if panel.mode == TAGS:
                account = scope.container is None
                query = parse_tag_filter(panel.query_edit.text(), account_level=account)
                self._next_page = lambda token: search.find_by_tags(
                    query, container=scope.container, continuation=token)
            else:
                prefix = scope.folder + panel.query_edit.text()
                flat = panel.flat_check.isChecked()
                sizes = iter((FIRST_PAGE,))
                self._next_page = lambda token: search.prefix_page(
                    str(scope.container), prefix, flat=flat, continuation=token,
                    page_size=next(sizes, LATER_PAGE))
        except InvalidInput as exc:
            panel.show_status(exc.message, problem=True)  # nothing was sent
            return None
        self._continuation = None
        return self._start(self._pages(first=True))

    def more(self) -> asyncio.Task[Any] | None:
        """The next page of a prefix or tag search."""
        if self.task is not None or self._continuation is None or self._next_page is None:
            return None
        return self._start(self._pages(first=False))

    def resume(self) -> asyncio.Task[Any] | None:
        """Run (or go on with) the deep search from its kept position."""
        deep = self.deep_search
        if deep is None or deep.finished or self.task is not None:
            return None
        return self._start(self._deep(deep))

    def cancel(self) -> None:
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            deep = self.deep_search
            if self.panel.mode == DEEP and deep is not None:
                self._show_idle(deep.progress().text() + " — cancelled; Resume goes on")
            else:
                self._show_idle(f"{self.panel.results.rowCount():,} found — cancelled")

    def _start(self, coroutine: Any) -> asyncio.Task[Any]:
        task = self.window.run_task(coroutine)
        self.task = task
        self.panel.set_running(True, resumable=False, more=False)
        task.add_done_callback(lambda done: self._finished(done))
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if self.task is task:
            self.task = None
            if not task.cancelled() and task.exception() is not None:
                self._show_idle("The search failed (see the error); Resume or Search again.")

    async def _pages(self, *, first: bool) -> None:
        assert self._next_page is not None
        page = await self._next_page(None if first else self._continuation)
        self._continuation = page.next_token
        self.panel.results.append(page.items)
        count = self.panel.results.rowCount()
        more = " — more on the server: scroll down or press More" if page.next_token else ""
        self._show_idle(f"{count:,} found{more}" if count or more else "Nothing found.")

    async def _deep(self, deep: DeepSearch) -> None:
        self.panel.show_status(deep.progress().text())

        def found(hits: Any, progress: SearchProgress) -> None:
            self.panel.results.append(hits)
            self.panel.show_status(progress.text())

        progress = await deep.run(found)
        self._show_idle(progress.text() + ("; Resume finds more" if progress.at_limit else ""))

    def _show_idle(self, text: str) -> None:
        deep = self.deep_search
        self.panel.set_running(False, resumable=deep is not None and not deep.finished,
                               more=self._continuation is not None and self.panel.mode != DEEP)
        if text:
            self.panel.show_status(text)

    # --- results like tree rows ------------------------------------------------------------

    def _on_scrolled(self, value: int) -> None:
        bar = self.panel.view.verticalScrollBar()
        if value >= bar.maximum() - 2 and self.panel.mode != DEEP:
            self.more()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = self.panel.results.record_at(current.row())
        if record is None or self.scope is None:
            return
        if self._details_task is not None:
            self._details_task.cancel()  # moving on: the previous row's GET is not shown
            self._details_task = None
        self.window.show_details(blob_details.describe(record))
        if isinstance(record, BlobRecord):
            root = self.scope.root

            async def load() -> None:
                self.window.show_details(await blob_details.load_details(record, root))

            self._details_task = self.window.run_task(load())

    def _on_activated(self, index: QModelIndex) -> None:
        record = self.panel.results.record_at(index.row())
        if isinstance(record, BlobPrefixRecord) and self.scope is not None:
            # A folder of a prefix search: search inside it.
            self.set_scope(SearchScope(self.scope.root, record.container, record.prefix))
            self.panel.query_edit.clear()
            self.search()
        elif isinstance(record, BlobRecord):
            self.window.run_task(self.show_in_tree(record))

    async def show_in_tree(self, record: BlobRecord) -> QModelIndex:
        """Open the way to ``record`` in the Blobs tree (folders and pages on) and select it.

        Raises:
            NotFound: the blob (or a folder above it) is not there any more.
        """
        assert self.scope is not None
        root = self.scope.root
        if self.model.flat and self.pane.flat_check is not None:
            self.pane.flat_check.setChecked(False)
        here = await self.model.find_paging(QModelIndex(), lambda r: r is root)
        here = await self.model.find_paging(here, lambda r: isinstance(
            r, ContainerRecord) and r.name == record.container)
        folders = record.name.split("/")[:-1]
        for depth in range(len(folders)):
            prefix = "/".join(folders[: depth + 1]) + "/"
            here = await self.model.find_paging(here, lambda r, p=prefix: isinstance(
                r, BlobPrefixRecord) and r.prefix == p)
            if not here.isValid():
                raise NotFound(f"{record.container} has no folder {prefix} any more.")
        here = await self.model.find_paging(here, lambda r: isinstance(
            r, BlobRecord) and r.name == record.name and not r.deleted)
        if not here.isValid():
            raise NotFound(f"{record.container} has no blob {record.name} any more.")
        self.window.reveal(self.pane, here)
        return here
