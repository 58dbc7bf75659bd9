"""Adding a service kind is one package and one registry line: a fake third kind ("notes"),
registered here and nowhere in the product, gets its tab, its lazily paged tree, its details,
its place in the connection dialog and the status bar, its service closed with the window —
with no change to the window, the dialog or the session."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from vaultbrowser.app import KINDS
from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.core.models.details import Details, DetailSection, detail_rows
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import DemoProvider, ServiceKind
from vaultbrowser.core.services.records import Page, ResponseInfo
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.core.ui.window.main_window import MainWindow

# --- the kind's services: a notebook of 7 notes, listed 3 at a time ---------------------------


@dataclass(frozen=True)
class Note:
    name: str
    text: str


class Notebook:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.notes = [Note(f"note-{number}", f"text {number}") for number in range(7)]
        self.closed = False

    async def list(self, continuation: str | None, page_size: int) -> Page[Note]:
        await asyncio.sleep(0)
        start = int(continuation or 0)
        end = start + min(page_size, 3)
        return Page(tuple(self.notes[start:end]), str(end) if end < len(self.notes) else None, None)

    async def close(self) -> None:
        self.closed = True


def normalize_notebook_url(text: str) -> str:
    if not text.strip().startswith("notes://"):
        raise InvalidInput("A notebook URL starts with notes://.")
    return text.strip().rstrip("/")


def open_notebook(session: ServiceSession, connection: Connection) -> Notebook:
    notebook = Notebook(connection)
    session.adopt(notebook)  # closed with the session, like every kind's service
    return notebook


# --- the kind's Qt half -----------------------------------------------------------------------


class NotesModel(LazyTreeModel):
    def column_titles(self) -> Sequence[str]:
        return ("Name", "Text")

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, ConnectionRoot)

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        return await node.record.service.list(continuation, page_size)

    def page_size(self, node: Node, first: bool) -> int:
        return 3

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, ConnectionRoot):
            return record.label if column == 0 else ""
        return record.name if column == 0 else record.text


class NotesView:
    def __init__(self, window: WindowContext) -> None:
        self.pane = TreePane(NotesModel(), "Notes")
        self.panes = (("Notebooks", self.pane),)

    def make_root(self, connection: Connection, service: Any) -> ConnectionRoot:
        return ConnectionRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return Details(record.name, "Note", (DetailSection("Note", detail_rows(
            ("Name", record.name), ("Text", getattr(record, "text", "")))),), response, record)

    async def load_details(self, record: Any, root: Any) -> Details:
        return self.describe(record, None)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        pass


def _no_demo(workdir: Path, seed: bool) -> DemoProvider:
    raise AssertionError("not used here")


NOTES = ServiceKind(
    name="notes", label="Notebook", nouns=("notebook", "notebooks"), url_label="Notebook URL",
    url_placeholder="notes://shelf/name", normalize_url=normalize_notebook_url,
    auth_methods=(AuthMethod.LOCAL_EMULATOR,), sdk_modules=(), open=open_notebook,
    add_arguments=lambda parser: parser.add_argument("--notebook", action="append",
                                                     default=[]),
    connections_from_args=lambda args: [Connection("notes", normalize_notebook_url(url))
                                        for url in args.notebook],
    audit=lambda collector, connection: asyncio.sleep(0), demo=_no_demo, view=NotesView,
    icon_svg='<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">'
             '<rect x="1" y="1" width="6" height="6" fill="#4a4"/></svg>',
)
WITH_NOTES = (*KINDS, NOTES)


# --- the proof ------------------------------------------------------------------------------


def wait_until(qloop: Any, condition: Any, timeout: float = 10.0) -> None:
    """Run the loop (pages are asyncio tasks) until ``condition()`` holds."""
    async def waiting() -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            assert asyncio.get_running_loop().time() < deadline, "timed out"
            await asyncio.sleep(0.02)

    qloop.run_until_complete(waiting())


@pytest.fixture
def window(qtbot: Any, qloop: Any) -> Any:
    window = MainWindow(ServiceSession(), kinds=WITH_NOTES, reporter=ErrorReporter(modal=False))
    qtbot.addWidget(window)
    window.show()
    yield window
    qloop.run_until_complete(window.aclose())


def test_the_third_kind_gets_a_tab_a_paged_tree_and_details(window: Any, qloop: Any) -> None:
    tabs = [window.tabs.label(i) for i in range(window.tabs.count())]  # the full labels
    assert tabs[-1] == "Notebooks" and tabs[:-1] == [
        label for kind in KINDS for label, _pane in window.view(kind.name).panes]
    assert not window.tabs.tabIcon(len(tabs) - 1).isNull()  # its icon, from its descriptor
    connection = Connection("notes", "notes://shelf/work", AuthMethod.LOCAL_EMULATOR,
                            name="Work notes")
    assert qloop.run_until_complete(window.open_connection(connection))
    pane = window.show_pane("Notes")
    model = pane.model
    root = model.index(0, 0)
    assert root.data() == "Work notes"
    assert "1 notebook" in window.connection_label.text()
    assert "0 vaults" in window.connection_label.text()

    wait_until(qloop, lambda: model.rowCount(root) >= 3)
    model.load_all(root)
    wait_until(qloop, lambda: model.rowCount(root) == 7 and not model.is_loading())
    assert [model.index(row, 1, root).data() for row in range(7)] == [
        f"text {number}" for number in range(7)]

    shown: list[Details] = []
    window.details_shown.connect(shown.append)
    pane.view.setCurrentIndex(pane.proxy.mapFromSource(model.index(4, 0, root)))
    wait_until(qloop, lambda: bool(shown))
    assert shown[-1].title == "note-4" and ("Text", "text 4") in shown[-1].sections[0].rows

    notebook = model.record_of(root).service
    window.remove_connection(connection)
    wait_until(qloop, lambda: notebook.closed)
    assert model.rowCount(QModelIndex()) == 0


def test_the_dialog_and_the_command_line_offer_the_third_kind(qtbot: Any) -> None:
    dialog = ConnectionDialog(kinds=WITH_NOTES, kind="notes")
    qtbot.addWidget(dialog)
    assert dialog.kind_combo.currentText() == "Notebook"
    assert dialog.form.labelForField(dialog.url_edit).text() == "Notebook URL"
    assert [dialog.auth_combo.itemData(i) for i in range(dialog.auth_combo.count())] == [
        AuthMethod.LOCAL_EMULATOR]
    assert not dialog.form.isRowVisible(dialog.mode_combo)  # no pasted connections
    qtbot.keyClicks(dialog.url_edit, "https://not-a-notebook")
    assert not dialog.is_valid and "notes://" in dialog.message
    dialog.url_edit.clear()
    qtbot.keyClicks(dialog.url_edit, "notes://shelf/home/")
    assert dialog.is_valid
    assert dialog.connection() == Connection("notes", "notes://shelf/home",
                                             AuthMethod.LOCAL_EMULATOR)

    from vaultbrowser.app import build_parser, connections_from_args

    args = build_parser(WITH_NOTES).parse_args(["--notebook", "notes://a/b",
                                                "--vault", "myvault"])
    assert isinstance(args, argparse.Namespace)
    assert [c.kind for c in connections_from_args(args, WITH_NOTES)] == ["keyvault", "notes"]
